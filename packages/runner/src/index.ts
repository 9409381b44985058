export type { PrPodRun, PullRequestSource, RunEvent, RunPrPodOptions, RunResult, RunStatus } from "./run-events.ts";
