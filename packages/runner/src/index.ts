// @pr-pod/runner: one PR pod run from start to end, and what the apps need around it. The pure part
// (./pure.ts, also the package's "./pure" export) plus runPrPod and the cluster clients. runPreviewStages is
// the "./preview-stages" export: helm, the preview clients and the JUnit parser load only for a run that
// deploys a preview, not at every start.

export { httpStatusOf, type RetryPolicy } from "./api-retry.ts";
export {
  type CleanupPrPodsOptions,
  cleanupPrPods,
  type DeletedObject,
  type FollowRunLogsOptions,
  followRunLogs,
  listPrPodRuns,
  type PrPodRunStatus,
  type PrPodRunSummary,
  type PrPodRunsOptions,
  type RunSelector,
} from "./pr-pod-runs.ts";
export {
  type CheckRunPermissionsOptions,
  checkRunPermissions,
  type RunPermissionsCheck,
} from "./preflight.ts";
export type {
  PreviewStageEvent,
  PreviewStageName,
  PreviewStageResult,
  PreviewStagesResult,
  PreviewStagesStatus,
  RunPreviewStagesOptions,
} from "./preview-stages.ts";
export * from "./pure.ts";
export { runPrPod } from "./run-pr-pod.ts";
