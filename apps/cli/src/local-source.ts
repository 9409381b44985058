// `--source DIR`: the local checkout as it is now. The pod clones the branch's upstream as usual
// (the newest commit the remote has), then applies what exists only here:
//   - unpushed commits, as a git bundle of <pushed>..HEAD
//   - uncommitted changes, tracked and untracked (not ignored), as a binary diff against HEAD, taken
//     through a temporary index so the user's index is untouched.
// This file only packs them. The runner's `localChanges` option carries them in a ConfigMap, and
// @pr-pod/k8s-job-builder builds that ConfigMap (1 MiB at most) and the pod script's step that applies them.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkLocalChangesSize, formatBytes, LocalChangesTooLargeError } from "@pr-pod/k8s-job-builder";
import { CliError } from "./cli-error.ts";

const execFileAsync = promisify(execFile);

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
      const bundleFile = join(scratch, "local.bundle");
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

/** What is carried, for the user: "1 unpushed commit(s) (2.1 KiB bundle) and uncommitted changes (3 B diff)". */
export function describeLocalChanges(changes: LocalChanges): string {
  return [
    changes.bundle
      ? `${changes.unpushedCommits} unpushed commit(s) (${formatBytes(changes.bundle.length)} bundle)`
      : "",
    changes.diff ? `uncommitted changes (${formatBytes(changes.diff.length)} diff)` : "",
  ]
    .filter(Boolean)
    .join(" and ");
}

/**
 * Refuses, before any cluster is contacted, changes over the 1 MiB ConfigMap limit (k8s-job-builder's
 * check), as a CliError naming the size and the fix.
 */
export function checkLocalChangesFit(changes: LocalChanges): void {
  try {
    checkLocalChangesSize(changes);
  } catch (error) {
    if (!(error instanceof LocalChangesTooLargeError)) throw error;
    throw new CliError("LOCAL_CHANGES_TOO_LARGE", error.problem, { fix: error.fix, cause: error });
  }
}
