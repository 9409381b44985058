// Finds a supported kind on PATH, or installs the pinned release into a cache folder after checking
// its SHA-256 against the table in kind-release.ts. The download itself is injected, so the action
// can use @actions/tool-cache and the CLI fetchDownload.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { access, chmod, constants, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { KindClusterError } from "./kind-errors.ts";
import {
  compareKindVersions,
  isSupportedKindVersion,
  KIND_CHECKSUMS,
  type KindArch,
  type KindChecksumTable,
  type KindPlatform,
  kindDownloadUrl,
  kindPlatformFor,
  lookupKindChecksum,
  MINIMUM_KIND_VERSION,
  PINNED_KIND_VERSION,
  parseKindVersion,
  type SupportedKindVersions,
} from "./kind-release.ts";
import { type KindLogger, spawnCommand } from "./run-command.ts";

/** Downloads `url` into `destinationFile`; rejects on any failure. */
export type KindDownload = (url: string, destinationFile: string, options: { signal?: AbortSignal }) => Promise<void>;

export interface FoundKind {
  /** Absolute path of the kind executable. */
  path: string;
  /** e.g. `v0.31.0` */
  version: string;
}

export interface FindKindOptions {
  /** A PATH-style list of folders to search; default `process.env.PATH`. */
  path?: string;
  supportedVersions?: SupportedKindVersions;
  /** Told about each kind found but not used. */
  logger?: KindLogger;
  signal?: AbortSignal;
}

/** The first `kind` on PATH whose `kind version` is supported, or undefined. */
export async function findKind(options: FindKindOptions = {}): Promise<FoundKind | undefined> {
  const folders = (options.path ?? process.env["PATH"] ?? "").split(delimiter).filter((folder) => folder !== "");
  const names = process.platform === "win32" ? ["kind.exe", "kind"] : ["kind"];
  for (const folder of folders) {
    for (const name of names) {
      const candidate = join(folder, name);
      if (!(await isExecutableFile(candidate))) continue;
      const result = await spawnCommand(candidate, ["version"], { signal: options.signal }).catch(() => undefined);
      const version = result?.exitCode === 0 ? parseKindVersion(result.stdout) : undefined;
      const warn = (line: string) => (options.logger?.warn ? options.logger.warn(line) : options.logger?.info(line));
      if (version && isSupportedKindVersion(version, options.supportedVersions)) {
        if (compareKindVersions(version, PINNED_KIND_VERSION) < 0) {
          warn(
            `using ${candidate} (kind ${version}), older than ${PINNED_KIND_VERSION}, the release pr-pod is tested with; it works from ${MINIMUM_KIND_VERSION} on, but its default node image is an older Kubernetes. Upgrade: https://kind.sigs.k8s.io/docs/user/quick-start/#installation`,
          );
        }
        return { path: candidate, version };
      }
      const said = version ?? `unreadable version output ${JSON.stringify((result?.stdout ?? "").trim())}`;
      const why =
        version && options.supportedVersions === undefined
          ? `kind ${version} is older than ${MINIMUM_KIND_VERSION}, the oldest pr-pod supports`
          : `${said} is not a supported kind version`;
      const message = `ignoring ${candidate}: ${why}`;
      warn(message);
    }
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface InstallKindOptions {
  /** Default: the pinned release, `v0.31.0`. */
  version?: string;
  /** The cache root; kind lands in `<cacheDir>/kind/<version>/<os>-<arch>/kind`. */
  cacheDir: string;
  download: KindDownload;
  /** Node names (`linux`, `darwin`) or kind's; default this machine. */
  platform?: string;
  /** Node names (`x64`, `arm64`) or kind's (`amd64`); default this machine. */
  arch?: string;
  /** Default: the table kept in this package. Tests pass their own. */
  checksums?: KindChecksumTable;
  /** Default `https://github.com/kubernetes-sigs/kind/releases/download`. */
  releaseBaseUrl?: string;
  logger?: KindLogger;
  signal?: AbortSignal;
}

export interface InstalledKind extends FoundKind {
  /** True when the binary was already in the cache and nothing was downloaded. */
  fromCache: boolean;
  sha256: string;
}

/** Installs kind into the cache (or reuses the cached copy); the result's checksum always matches the table. */
export async function installKind(options: InstallKindOptions): Promise<InstalledKind> {
  const version = options.version ?? PINNED_KIND_VERSION;
  const { platform, arch } = kindPlatformFor(options.platform, options.arch);
  const expected = lookupKindChecksum(version, platform, arch, options.checksums ?? KIND_CHECKSUMS);
  const installDirectory = join(options.cacheDir, "kind", version, `${platform}-${arch}`);
  const kindPath = join(installDirectory, "kind");

  if (await isExecutableFile(kindPath)) {
    const cached = await sha256File(kindPath);
    if (cached === expected) return { path: kindPath, version, fromCache: true, sha256: cached };
    options.logger?.warn?.(`the cached ${kindPath} has SHA-256 ${cached}, not ${expected}; downloading it again`);
    await rm(kindPath, { force: true });
  }

  const url = kindDownloadUrl(version, platform, arch, options.releaseBaseUrl);
  options.logger?.info(`downloading kind ${version} (${platform}/${arch}) from ${url}`);
  await mkdir(options.cacheDir, { recursive: true });
  // Downloaded beside the cache, not into it, so a failure leaves the cache as it was.
  const workDirectory = await mkdtemp(join(options.cacheDir, ".kind-download-"));
  try {
    const downloaded = join(workDirectory, "kind");
    try {
      await options.download(url, downloaded, { signal: options.signal });
    } catch (error) {
      if (error instanceof KindClusterError) throw error;
      throw new KindClusterError(
        options.signal?.aborted ? "ABORTED" : "DOWNLOAD_FAILED",
        `downloading kind ${version} from ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
        "check the network (and any proxy), or install kind yourself and put it on PATH",
        { cause: error },
      );
    }
    const actual = await sha256File(downloaded);
    if (actual !== expected) {
      throw new KindClusterError(
        "CHECKSUM_MISMATCH",
        `kind ${version} ${platform}/${arch} from ${url} has SHA-256 ${actual}, expected ${expected}`,
        "nothing was installed; retry the download, and if it persists check for a proxy rewriting downloads or a changed release",
      );
    }
    await chmod(downloaded, 0o755);
    await mkdir(installDirectory, { recursive: true });
    await rename(downloaded, kindPath);
    return { path: kindPath, version, fromCache: false, sha256: actual };
  } finally {
    await rm(workDirectory, { recursive: true, force: true });
  }
}

export interface EnsureKindOptions extends Omit<InstallKindOptions, "version"> {
  /** The release to install when PATH has no supported kind; default the pin. */
  version?: string;
  /** Default: `process.env.PATH`. */
  path?: string;
  supportedVersions?: SupportedKindVersions;
}

/** findKind, else installKind: what both apps need before any cluster call. */
export async function ensureKind(options: EnsureKindOptions): Promise<FoundKind & { installed: boolean }> {
  const found = await findKind({
    path: options.path,
    supportedVersions: options.supportedVersions,
    logger: options.logger,
    signal: options.signal,
  });
  if (found) return { ...found, installed: false };
  const installed = await installKind(options);
  return { path: installed.path, version: installed.version, installed: true };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** A KindDownload on Node's fetch: follows redirects, streams to a temp file, renames it into place. */
export const fetchDownload: KindDownload = async (url, destinationFile, { signal } = {}) => {
  const response = await fetch(url, { signal, redirect: "follow" });
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`.trim());
  }
  const partial = `${destinationFile}.${randomUUID()}.partial`;
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      createWriteStream(partial, { mode: 0o644 }),
      { signal },
    );
    await rename(partial, destinationFile);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
};

export type { KindArch, KindPlatform };
