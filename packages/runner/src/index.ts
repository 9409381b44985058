// @pr-pod/runner: one PR pod run from start to end, and what the apps need around it.
export { httpStatusOf, type RetryPolicy } from "./api-retry.ts";
export { type BuildRunResourcesOptions, buildRunResources } from "./build-run-objects.ts";
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
export {
  type PreviewChartConfig,
  type PreviewConfig,
  type PreviewStageEvent,
  type PreviewStageName,
  type PreviewStageResult,
  type PreviewStagesResult,
  type PreviewStagesStatus,
  type RunPreviewStagesOptions,
  runPreviewStages,
  validatePreviewConfig,
} from "./preview-stages.ts";
export { describePermission, type Permission, requiredPermissions } from "./required-permissions.ts";
export {
  CONFIG_FILE_NAMES,
  type LoadedRunConfig,
  type LoadRunConfigOptions,
  loadRunConfig,
  parseRunConfig,
  type ResourceSettings,
  type RunConfig,
} from "./run-config.ts";
export type {
  BuildxOptions,
  LocalChanges,
  PrPodRun,
  PullRequestSource,
  RunEvent,
  RunPrPodOptions,
  RunReportOptions,
  RunResult,
  RunStatus,
} from "./run-events.ts";
export { runPrPod } from "./run-pr-pod.ts";
export {
  DEFAULT_IMAGE,
  DEFAULT_NAMESPACE,
  DEFAULT_TIMEOUT_SECONDS,
  mergeRunSettings,
  type RunSettings,
} from "./run-settings.ts";
export { RunnerError, type RunnerErrorCode } from "./runner-error.ts";
