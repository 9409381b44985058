export type { PrPodExitCode } from "./exit-codes.ts";
export { describePrPodExitCode, PR_POD_EXIT_CODES } from "./exit-codes.ts";
export {
  buildLocalChangesConfigMap,
  checkLocalChangesSize,
  formatBytes,
  hasLocalChanges,
  LOCAL_BUNDLE_KEY,
  LOCAL_CHANGES_LIMIT_BYTES,
  LOCAL_CHANGES_MOUNT_PATH,
  LOCAL_DIFF_KEY,
  type LocalChanges,
  LocalChangesTooLargeError,
  localChangesConfigMapName,
  localChangesEncodedSize,
} from "./local-changes.ts";
export type { PrPodScriptOptions } from "./pod-script.ts";
export { buildPrPodScript } from "./pod-script.ts";
export type {
  BuilderOptions,
  BuildxDriver,
  PrPodResourceOptions,
  PrPodResources,
  RegistryOptions,
} from "./pr-pod-resources.ts";
export {
  BUILDX_KUBERNETES_DRIVER_RULES,
  buildPrPodResources,
  buildxDriverOpts,
  CONTAINER_NAME,
  DEFAULT_ACTIVE_DEADLINE_SECONDS,
  DEFAULT_IMAGE,
  DEFAULT_IMAGE_TEMPLATE,
  DEFAULT_RESOURCES,
  DEFAULT_TTL_SECONDS_AFTER_FINISHED,
  DEFAULT_WORKSPACE_SIZE_LIMIT,
  JobBuilderError,
  prPodResourceList,
  prPodScriptEnv,
  REGISTRY_AUTH_MOUNT_PATH,
  TERMINATION_MESSAGE_PATH,
  WORKSPACE_MOUNT_PATH,
} from "./pr-pod-resources.ts";
export type { RenderManifestsOptions } from "./render-manifests.ts";
export { renderManifests } from "./render-manifests.ts";
