// kind for `cluster: kind`, through the runner's tool cache: a supported kind on PATH is used as it
// is; otherwise @pr-pod/kind-cluster installs the pinned release (checksum verified) with a download
// built on @actions/tool-cache, and the result is cached in RUNNER_TOOL_CACHE for the next job on
// the same runner. All kind logic stays in the package; this file only adapts the tool cache.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as toolCache from "@actions/tool-cache";
import {
  findKind,
  installKind,
  type KindChecksumTable,
  type KindDownload,
  type KindLogger,
  PINNED_KIND_VERSION,
} from "@pr-pod/kind-cluster";

/** A KindDownload on @actions/tool-cache's downloadTool (retries, proxy settings, the runner's user agent). */
export const toolCacheDownload: KindDownload = async (url, destinationFile) => {
  await toolCache.downloadTool(url, destinationFile);
};

export interface KindFromToolCacheOptions {
  /** Default: the release @pr-pod/kind-cluster pins. */
  version?: string;
  logger?: KindLogger;
  signal?: AbortSignal;
  /** Default `process.env.PATH`; tests pass their own. */
  path?: string;
  /** Tests only: a checksum table and release URL of their own. */
  checksums?: KindChecksumTable;
  releaseBaseUrl?: string;
}

export interface KindExecutable {
  path: string;
  version: string;
  /** Where it came from: PATH, the runner's tool cache, or a fresh download. */
  source: "path" | "tool-cache" | "download";
}

/** The tool cache keys versions as semver, without kind's leading "v". */
function toolCacheVersion(version: string): string {
  return version.replace(/^v/, "");
}

export async function kindFromToolCache(options: KindFromToolCacheOptions = {}): Promise<KindExecutable> {
  if (!options.version) {
    // An older kind on PATH (hosted runner images ship one) is expected, not worth a warning annotation.
    const logger = options.logger ? { info: (message: string) => options.logger?.info(message) } : undefined;
    const found = await findKind({ path: options.path, logger, signal: options.signal });
    if (found) return { path: found.path, version: found.version, source: "path" };
  }
  const version = options.version || PINNED_KIND_VERSION;
  const install = {
    version,
    download: toolCacheDownload,
    logger: options.logger,
    signal: options.signal,
    checksums: options.checksums,
    releaseBaseUrl: options.releaseBaseUrl,
  };
  const cachedDir = toolCache.find("kind", toolCacheVersion(version));
  if (cachedDir) {
    // installKind checks the cached binary's checksum again before trusting it.
    const cached = await installKind({ ...install, cacheDir: cachedDir });
    if (cached.fromCache) return { path: cached.path, version, source: "tool-cache" };
    return { path: cached.path, version, source: "download" };
  }
  const tempRoot = process.env["RUNNER_TEMP"] || tmpdir();
  await mkdir(tempRoot, { recursive: true });
  const workDir = await mkdtemp(join(tempRoot, "pr-pod-kind-"));
  try {
    const installed = await installKind({ ...install, cacheDir: workDir });
    const cacheDir = await toolCache.cacheDir(workDir, "kind", toolCacheVersion(version));
    return { path: join(cacheDir, relative(workDir, installed.path)), version, source: "download" };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
