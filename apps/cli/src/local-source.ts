// `--source DIR`: the local checkout as it is now. The pod clones the branch's upstream as usual
// (the newest commit the remote has), then applies what exists only here:
//   - unpushed commits, as a git bundle of <pushed>..HEAD  (`git fetch <bundle>` + checkout in the pod)
//   - uncommitted changes, tracked and untracked (not ignored), as a binary diff against HEAD
//     (`git apply --binary` in the pod), taken through a temporary index so the user's index is untouched.
// Both travel in a ConfigMap's binaryData, which Kubernetes caps at 1 MiB for the whole object:
// over that, a clear error naming the size. https://kubernetes.io/docs/concepts/configuration/configmap/
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { V1ConfigMap } from "@kubernetes/client-node";
import { CliError } from "./cli-error.ts";

const execFileAsync = promisify(execFile);

/** The ConfigMap size limit (etcd's 1 MiB request cap applies to the whole object). */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** Room kept for the object's metadata, labels and keys. */
const METADATA_ALLOWANCE_BYTES = 16 * 1024;

export const LOCAL_BUNDLE_KEY = "local.bundle";
export const LOCAL_DIFF_KEY = "local.diff";

export interface LocalChanges {
  /** The checkout's top folder. */
  directory: string;
  /** HEAD here. */
  headSha: string;
  /** The newest commit the remote has on this branch (what the pod clones). */
  pushedSha: string;
  /** Commits in pushedSha..HEAD. */
  unpushedCommits: number;
  /** `git bundle` of the unpushed commits, when there are any. */
  bundle?: Buffer;
  /** `git diff --binary HEAD` of the work tree (untracked files included), when it is dirty. */
  diff?: Buffer;
}

async function git(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout.trim();
}

async function gitBuffer(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Buffer> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "buffer",
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

/** What the checkout has that its upstream does not. */
export async function collectLocalChanges(directory: string): Promise<LocalChanges> {
  const top = await git(["rev-parse", "--show-toplevel"], directory).catch((error) => {
    throw new CliError("USAGE", `--source ${directory} is not inside a git checkout`, {
      fix: "pass the folder of the PR's checkout",
      cause: error,
    });
  });
  const headSha = await git(["rev-parse", "HEAD"], top);
  const upstream = await git(["rev-parse", "--verify", "--quiet", "@{upstream}"], top).catch(() => "");
  if (!upstream) {
    const branch = await git(["symbolic-ref", "--quiet", "--short", "HEAD"], top).catch(() => "HEAD");
    throw new CliError("USAGE", `the branch ${branch} in ${top} has no upstream, so the pod has nothing to clone`, {
      fix: `push it once (git push -u origin ${branch}); later unpushed commits and uncommitted changes are carried over`,
    });
  }
  const pushedSha = await git(["merge-base", "HEAD", upstream], top);
  const unpushedCommits = Number(await git(["rev-list", "--count", `${pushedSha}..HEAD`], top));
  const scratch = await mkdtemp(join(tmpdir(), "pr-pod-source-"));
  try {
    let bundle: Buffer | undefined;
    if (unpushedCommits > 0) {
      const bundleFile = join(scratch, LOCAL_BUNDLE_KEY);
      await git(["bundle", "create", "--quiet", bundleFile, "HEAD", `^${pushedSha}`], top);
      bundle = await readFile(bundleFile);
    }
    // A copy of the index, so `git add -A` sees untracked files without touching the user's staging area.
    const gitDirectory = await git(["rev-parse", "--absolute-git-dir"], top);
    const index = join(scratch, "index");
    await copyFile(join(gitDirectory, "index"), index).catch(() => undefined);
    const env = { GIT_INDEX_FILE: index };
    await git(["add", "--all"], top, env);
    const diff = await gitBuffer(["diff", "--cached", "--binary", "--no-color", "--no-ext-diff", "HEAD"], top, env);
    return {
      directory: top,
      headSha,
      pushedSha,
      unpushedCommits,
      ...(bundle ? { bundle } : {}),
      ...(diff.length > 0 ? { diff } : {}),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function hasLocalChanges(changes: LocalChanges): boolean {
  return Boolean(changes.bundle || changes.diff);
}

/** Size of the changes as stored in the ConfigMap (binaryData is base64 in the API object). */
export function encodedSize(changes: LocalChanges): number {
  const base64Length = (buffer: Buffer | undefined) => (buffer ? Math.ceil(buffer.length / 3) * 4 : 0);
  return base64Length(changes.bundle) + base64Length(changes.diff);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** The ConfigMap carrying the changes; a CliError naming the size when it would pass the 1 MiB limit. */
export function buildLocalChangesConfigMap(
  changes: LocalChanges,
  options: { name: string; namespace: string; labels?: Record<string, string> },
): V1ConfigMap {
  const size = encodedSize(changes);
  if (size + METADATA_ALLOWANCE_BYTES > CONFIGMAP_LIMIT_BYTES) {
    const parts = [
      changes.bundle
        ? `${changes.unpushedCommits} unpushed commit(s): ${formatBytes(changes.bundle.length)}`
        : undefined,
      changes.diff ? `uncommitted changes: ${formatBytes(changes.diff.length)}` : undefined,
    ].filter(Boolean);
    throw new CliError(
      "LOCAL_CHANGES_TOO_LARGE",
      `the local changes are ${formatBytes(size)} once encoded (${parts.join(", ")}), over the ${formatBytes(CONFIGMAP_LIMIT_BYTES)} ConfigMap limit`,
      {
        fix: "push the commits (git push) so the pod clones them instead, commit or stash large uncommitted files, or add build output to .gitignore",
      },
    );
  }
  const binaryData: Record<string, string> = {};
  if (changes.bundle) binaryData[LOCAL_BUNDLE_KEY] = changes.bundle.toString("base64");
  if (changes.diff) binaryData[LOCAL_DIFF_KEY] = changes.diff.toString("base64");
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    immutable: true,
    data: { "head-sha": changes.headSha, "pushed-sha": changes.pushedSha },
    binaryData,
  };
}

/**
 * What the pod must run after cloning `pushedSha` to end up with the local tree, given the ConfigMap
 * mounted at `mountPath`. Kept beside the packing so both halves change together.
 */
export function applyLocalChangesScript(mountPath: string): string {
  return [
    `if [ -f "${mountPath}/${LOCAL_BUNDLE_KEY}" ]; then`,
    `  git fetch --quiet "${mountPath}/${LOCAL_BUNDLE_KEY}" HEAD && git checkout --quiet --detach FETCH_HEAD || exit 12`,
    "fi",
    `if [ -f "${mountPath}/${LOCAL_DIFF_KEY}" ]; then`,
    `  git apply --binary --whitespace=nowarn "${mountPath}/${LOCAL_DIFF_KEY}" || exit 12`,
    "fi",
  ].join("\n");
}
