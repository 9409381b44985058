export type { PullRequestContext, PullRequestContextSource } from "./pull-request-context.ts";
