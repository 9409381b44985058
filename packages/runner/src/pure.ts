// @pr-pod/runner/pure: the parts of a run that never talk to a cluster or GitHub: the config file, the
// merged settings, the run's objects as data, the permissions a run needs, and the run's types. It loads
// neither @kubernetes/client-node nor octokit nor the preview packages, so `pr-pod render` and `--help`
// start fast; @pr-pod/runner (the index) re-exports all of it next to runPrPod and the cluster clients.
export { type BuildRunResourcesOptions, buildRunResources } from "./build-run-objects.ts";
export { type PreviewChartConfig, type PreviewConfig, validatePreviewConfig } from "./preview-config.ts";
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
export {
  DEFAULT_IMAGE,
  DEFAULT_NAMESPACE,
  DEFAULT_TIMEOUT_SECONDS,
  mergeRunSettings,
  type RunSettings,
} from "./run-settings.ts";
export { messageOf, RunnerError, type RunnerErrorCode } from "./runner-error.ts";
