// @pr-pod/preview-deploy: a pull request's preview namespace, deployed with Helm as its own
// least-privilege ServiceAccount, with the reason when it does not become ready, and its teardown.
export {
  type DeployedRelease,
  type DeployPreviewOptions,
  deployPreview,
  PreviewDeployError,
  type PreviewDeployFailure,
  type PreviewDeployment,
} from "./deploy-preview.ts";
export {
  type BuiltImage,
  buildHelmTestArgs,
  buildHelmUninstallArgs,
  buildHelmUpgradeArgs,
  type HelmChartRelease,
  type ImageValuesMapping,
  imageSetValues,
} from "./helm-release.ts";
export {
  diagnoseNotReady,
  failedCreateDiagnosis,
  HOPELESS_WAITING_REASONS,
  hopelessPodState,
  type NotReadyDiagnosis,
  readinessProbeFailure,
  watchForHopelessPods,
  workloadOf,
} from "./not-ready-diagnosis.ts";
export {
  applyPreviewObjects,
  cleanupExpiredPreviews,
  type DeletedPullRequestPreviews,
  deletePreview,
  deletePullRequestPreviews,
  expiredPreviews,
  listPreviews,
  type PreviewCredentials,
  type PreviewSummary,
  previewCredentials,
} from "./preview-cluster.ts";
export {
  assertNamespaceName,
  buildPreviewNamespaceObjects,
  type KubeObject,
  PREVIEW_EXPIRES_ANNOTATION,
  PREVIEW_LABELS,
  PREVIEW_SERVICE_ACCOUNT,
  PreviewConfigError,
  type PreviewIdentity,
  type PreviewNamespaceInput,
  previewNamespaceName,
  previewRepoLabel,
} from "./preview-namespace.ts";
export { type HelmRun, type RunHelmOptions, runHelm } from "./run-helm.ts";
