// `pr-pod run --source`: what exists only in the developer's checkout travels to the pod in a ConfigMap's
// binaryData: unpushed commits as a git bundle (prerequisite: the pushed head the pod clones) and uncommitted
// changes as a `git diff --binary`. The pod script applies them after the clone (stage "local changes").
// Kubernetes caps a ConfigMap at 1 MiB for the whole object, so the size is checked here, naming it.
// https://kubernetes.io/docs/concepts/configuration/configmap/#motivation
import type { V1ConfigMap } from "@kubernetes/client-node";

/** The key of the git bundle (`git bundle create <file> HEAD ^<pushed head>`). */
export const LOCAL_BUNDLE_KEY = "local.bundle";
/** The key of the binary diff of the work tree against the local head. */
export const LOCAL_DIFF_KEY = "local.diff";
/** Where the ConfigMap is mounted; the script only sees it through PR_POD_LOCAL_CHANGES. */
export const LOCAL_CHANGES_MOUNT_PATH = "/var/run/pr-pod/local-changes";
/** The ConfigMap size limit (etcd's 1 MiB request cap applies to the whole object). */
export const LOCAL_CHANGES_LIMIT_BYTES = 1024 * 1024;
/** Room kept for the object's metadata, labels and keys. */
const METADATA_ALLOWANCE_BYTES = 16 * 1024;

/** What only the local checkout has, on top of the pushed head (the context's headSha) the pod clones. */
export interface LocalChanges {
  /** The local HEAD: the bundle's head, or the pushed head when there is no bundle. */
  headSha: string;
  /** `git bundle` of the unpushed commits, when there are any. */
  bundle?: Uint8Array;
  /** `git diff --binary` of the uncommitted work (untracked files included), when the tree is dirty. */
  diff?: Uint8Array;
}

/**
 * Thrown when the changes would not fit in a ConfigMap. The message is `problem: fix`; front ends that
 * show the fix on its own line take the two parts. `sizeBytes` is the base64 size.
 */
export class LocalChangesTooLargeError extends Error {
  readonly code = "LOCAL_CHANGES_TOO_LARGE";
  constructor(
    readonly problem: string,
    readonly fix: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`${problem}: ${fix}`);
    this.name = "LocalChangesTooLargeError";
  }
}

const base64Length = (bytes: Uint8Array | undefined) => (bytes ? Math.ceil(bytes.length / 3) * 4 : 0);

/** Size of the changes as stored in the ConfigMap (binaryData is base64 in the API object). */
export function localChangesEncodedSize(changes: Pick<LocalChanges, "bundle" | "diff">): number {
  return base64Length(changes.bundle) + base64Length(changes.diff);
}

/** True when there is anything to carry (a bundle or a diff). */
export function hasLocalChanges(changes: Pick<LocalChanges, "bundle" | "diff">): boolean {
  return Boolean(changes.bundle?.length || changes.diff?.length);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Throws LocalChangesTooLargeError, naming the size of each part, when the changes pass the 1 MiB limit. */
export function checkLocalChangesSize(changes: Pick<LocalChanges, "bundle" | "diff">): void {
  const size = localChangesEncodedSize(changes);
  if (size + METADATA_ALLOWANCE_BYTES <= LOCAL_CHANGES_LIMIT_BYTES) return;
  const parts = [
    changes.bundle ? `unpushed commits: ${formatBytes(changes.bundle.length)}` : undefined,
    changes.diff ? `uncommitted changes: ${formatBytes(changes.diff.length)}` : undefined,
  ].filter(Boolean);
  throw new LocalChangesTooLargeError(
    `the local changes are ${formatBytes(size)} once encoded (${parts.join(", ")}), over the ${formatBytes(LOCAL_CHANGES_LIMIT_BYTES)} ConfigMap limit`,
    "push the commits (git push) so the pod clones them, commit or stash large uncommitted files, or add build output to .gitignore",
    size,
    LOCAL_CHANGES_LIMIT_BYTES,
  );
}

/** The run's ConfigMap name: the run name plus `-local-changes` (buildx names its own ConfigMaps `<builder>0`). */
export function localChangesConfigMapName(runName: string): string {
  return `${runName}-local-changes`;
}

/** The immutable ConfigMap carrying the changes. Pure; throws LocalChangesTooLargeError over 1 MiB. */
export function buildLocalChangesConfigMap(
  changes: LocalChanges,
  options: { name: string; namespace: string; labels?: Record<string, string> },
): V1ConfigMap {
  checkLocalChangesSize(changes);
  const binaryData: Record<string, string> = {};
  if (changes.bundle?.length) binaryData[LOCAL_BUNDLE_KEY] = Buffer.from(changes.bundle).toString("base64");
  if (changes.diff?.length) binaryData[LOCAL_DIFF_KEY] = Buffer.from(changes.diff).toString("base64");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.labels ? { labels: options.labels } : {}),
    },
    immutable: true,
    data: { "head-sha": changes.headSha },
    binaryData,
  };
}
