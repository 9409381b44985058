// @pr-pod/kind-cluster: find or install kind (checksum-verified), then create, reuse, inspect or delete
// a kind cluster. The CLI and the action use only this surface.

export {
  type EnsureKindOptions,
  ensureKind,
  type FindKindOptions,
  type FoundKind,
  fetchDownload,
  findKind,
  type InstalledKind,
  type InstallKindOptions,
  installKind,
  type KindDownload,
  sha256File,
} from "./install-kind.ts";
export {
  buildKindClusterConfig,
  buildLocalRegistryHostingConfigMap,
  buildRegistryHostsToml,
  clusterRegistryHost,
  type KindClusterConfig,
  type KindNodeConfig,
  type KindPortMapping,
  type LocalRegistryOptions,
  parseKindClusterConfig,
  type ResolvedLocalRegistry,
  registryHostsDirectories,
  renderKindClusterConfig,
  resolveLocalRegistry,
} from "./kind-cluster-config.ts";
export {
  type DeleteKindClusterOptions,
  deleteKindCluster,
  type EnsureKindClusterOptions,
  ensureKindCluster,
  type KindCluster,
  type KindClusterStatus,
  type KindCommandOptions,
  kindClusterStatus,
  listKindClusters,
} from "./kind-cluster-lifecycle.ts";
export { buildCreateClusterArguments, type CreateClusterArguments } from "./kind-commands.ts";
export { classifyKindFailure, KindClusterError, type KindErrorCode } from "./kind-errors.ts";
export {
  KIND_CHECKSUMS,
  KIND_RELEASE_BASE_URL,
  type KindArch,
  type KindChecksumTable,
  type KindPlatform,
  kindDownloadUrl,
  lookupKindChecksum,
  MINIMUM_KIND_VERSION,
  PINNED_KIND_VERSION,
  parseKindVersion,
  type SupportedKindVersions,
} from "./kind-release.ts";
export type { KindLogger } from "./run-command.ts";
