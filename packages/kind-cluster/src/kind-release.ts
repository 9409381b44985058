// Which kind release pr-pod installs, where it comes from, and the SHA-256 each binary must have.
// Pure data and lookups; the download itself lives in install-kind.ts.
import { KindClusterError } from "./kind-errors.ts";

/** The kind release installed when none on PATH is supported. Its default node image is kindest/node:v1.35.0. */
export const PINNED_KIND_VERSION = "v0.31.0";

/**
 * The oldest kind used from PATH by default. Its default node image is Kubernetes 1.27.3 (pr-pod needs
 * 1.22+, for Job `spec.suspend`), its nodes run containerd 1.7, which reads the per-registry
 * `hosts.toml` files the local registry is set up with (`config_path`, kind's local-registry guide
 * since this release), and it has every command pr-pod calls (`create cluster --wait --kubeconfig`,
 * `export kubeconfig`, `get clusters`, `get nodes`, `delete cluster`). Older than the pin works, with a
 * warning: the pin is what pr-pod is tested with.
 */
export const MINIMUM_KIND_VERSION = "v0.20.0";

export const KIND_RELEASE_BASE_URL = "https://github.com/kubernetes-sigs/kind/releases/download";

export type KindPlatform = "linux" | "darwin";
export type KindArch = "amd64" | "arm64";

/** version → "os/arch" → lowercase hex SHA-256 of the `kind-<os>-<arch>` binary. */
export type KindChecksumTable = Readonly<
  Record<string, Readonly<Partial<Record<`${KindPlatform}/${KindArch}`, string>>>>
>;

/**
 * Copied from the `kind-<os>-<arch>.sha256sum` files published beside each binary of the release
 * (https://github.com/kubernetes-sigs/kind/releases/tag/v0.31.0). Add a row when bumping the pin.
 */
export const KIND_CHECKSUMS: KindChecksumTable = {
  "v0.31.0": {
    "linux/amd64": "eb244cbafcc157dff60cf68693c14c9a75c4e6e6fedaf9cd71c58117cb93e3fa",
    "linux/arm64": "8e1014e87c34901cc422a1445866835d1e666f2a61301c27e722bdeab5a1f7e4",
    "darwin/amd64": "a8b3cf77b2ad77aec5bf710d1a2589d9117576132af812885cad41e9dede4d4e",
    "darwin/arm64": "88bf554fe9da6311c9f8c2d082613c002911a476f6b5090e9420b35d84e70c5c",
  },
};

/** Maps Node's `process.platform` / `process.arch` to kind's release names, or says why it cannot. */
export function kindPlatformFor(
  platform: string = process.platform,
  arch: string = process.arch,
): { platform: KindPlatform; arch: KindArch } {
  const kindPlatform = platform === "linux" || platform === "darwin" ? platform : undefined;
  const kindArch = arch === "x64" || arch === "amd64" ? "amd64" : arch === "arm64" ? "arm64" : undefined;
  if (kindPlatform === undefined || kindArch === undefined) {
    throw new KindClusterError(
      "UNSUPPORTED_PLATFORM",
      `pr-pod installs kind only for linux and darwin on amd64 or arm64, not ${platform}/${arch}`,
      "install kind yourself (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and put it on PATH",
    );
  }
  return { platform: kindPlatform, arch: kindArch };
}

/** `https://github.com/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-amd64` */
export function kindDownloadUrl(
  version: string,
  platform: KindPlatform,
  arch: KindArch,
  baseUrl: string = KIND_RELEASE_BASE_URL,
): string {
  return `${baseUrl.replace(/\/+$/, "")}/${version}/kind-${platform}-${arch}`;
}

/** The expected SHA-256 for one binary; an error naming the table's versions when there is none. */
export function lookupKindChecksum(
  version: string,
  platform: KindPlatform,
  arch: KindArch,
  table: KindChecksumTable = KIND_CHECKSUMS,
): string {
  const checksum = table[version]?.[`${platform}/${arch}`];
  if (checksum === undefined || !/^[0-9a-f]{64}$/.test(checksum)) {
    throw new KindClusterError(
      "CHECKSUM_UNKNOWN",
      `no SHA-256 is known for kind ${version} ${platform}/${arch} (the table has ${Object.keys(table).join(", ") || "nothing"})`,
      `install kind ${PINNED_KIND_VERSION}, or add the value from kind-${platform}-${arch}.sha256sum of release ${version} to KIND_CHECKSUMS`,
    );
  }
  return checksum;
}

/** Reads `kind v0.31.0 go1.25.5 linux/amd64` (or `kind version 0.31.0`) and returns `v0.31.0`. */
export function parseKindVersion(output: string): string | undefined {
  const match = /\bv?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?/.exec(
    output.replace(/^kind version\b/, "kind"),
  );
  if (!match) return undefined;
  return `v${match[1]}.${match[2]}.${match[3]}${match[4] ?? ""}${match[5] ?? ""}`;
}

function versionParts(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Which kind versions findKind accepts: a list of exact versions, a test, or (default) the pin or newer. */
export type SupportedKindVersions = readonly string[] | ((version: string) => boolean);

export function isSupportedKindVersion(
  version: string,
  supported: SupportedKindVersions = (candidate) => compareKindVersions(candidate, MINIMUM_KIND_VERSION) >= 0,
): boolean {
  if (typeof supported === "function") return supported(version);
  const normalized = (value: string) => (value.startsWith("v") ? value : `v${value}`);
  return supported.map(normalized).includes(normalized(version));
}

/** Orders two `vX.Y.Z` versions; pre-releases count as their release. Unparsable versions sort first. */
export function compareKindVersions(left: string, right: string): number {
  const a = versionParts(left);
  const b = versionParts(right);
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let index = 0; index < 3; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
