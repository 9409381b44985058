// `--source .`: a PR context from a local git checkout: the current branch and HEAD SHA, the target
// branch (given, else the remote's default branch), and the remote's URL as a clone URL: http(s)
// remotes as they are, SSH and git:// forms as https.
// The pod clones from that remote, so the commit must have been pushed; a dirty work tree is
// reported (workTreeDirty) because uncommitted changes will not be in the build.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { parsePrNumber, shorten, validateBranchRef, validateRepo, validateSha } from "./validate.ts";

const run = promisify(execFile);

/** The `number` of a local run that belongs to no pull request (`--source` without a PR). */
export const LOCAL_RUN_NUMBER = 0;

export interface LocalCheckoutOptions {
  /**
   * The PR this branch is (a local checkout does not know it; findOpenPullRequest can ask GitHub).
   * Without one the context is a local run: number 0, names and labels still valid.
   */
  pr?: number | string;
  /** The checkout's folder. Default process.cwd(). */
  cwd?: string;
  /** Target branch; default the remote's default branch (refs/remotes/<remote>/HEAD), else "main". */
  baseRef?: string;
  /** Remote to clone from; default the branch's upstream remote, else "origin". */
  remote?: string;
  signal?: AbortSignal;
}

/**
 * Turns a git remote URL (https, http, ssh://, scp-like git@host:owner/name, git://) into a clone URL
 * and the owner and name it points at. Credentials in the URL are dropped. An `http://` or `https://`
 * remote keeps its scheme and port: it is what `git fetch` uses here, and a plain-HTTP server does
 * not answer TLS (plainHttpTokenWarning says when the token would cross the network in the clear).
 * SSH and git:// forms become https on the same host, without the SSH port.
 */
export function normalizeRemoteUrl(remoteUrl: string): { cloneUrl: string; owner: string; repo: string; host: string } {
  const value = remoteUrl.trim();
  let host: string | undefined;
  let path: string | undefined;
  let scheme = "https";
  const scpLike = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      host = url.hostname + (url.port && !/^ssh|^git:/.test(url.protocol) ? `:${url.port}` : "");
      path = decodeURIComponent(url.pathname);
      if (url.protocol === "http:") scheme = "http";
    } catch {
      host = undefined;
    }
  } else if (scpLike) {
    host = scpLike[1];
    path = scpLike[2];
  }
  const parts = (path ?? "")
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "")
    .split("/");
  if (!host || parts.length !== 2 || !parts[0] || !parts[1]) {
    const shown = /\/\/[^/@]*@/.test(value) ? value.replace(/\/\/[^/@]*@/, "//***@") : value;
    throw new PrContextError(
      "NO_REMOTE",
      `cannot tell the repository from the remote URL ${JSON.stringify(shorten(shown))}: expected https://HOST/owner/name(.git) or git@HOST:owner/name.git; point the remote at the repository (git remote set-url origin ...)`,
    );
  }
  const [owner, repo] = parts as [string, string];
  validateRepo(owner, repo);
  return { cloneUrl: `${scheme}://${host}/${owner}/${repo}.git`, owner, repo, host };
}

async function git(args: string[], cwd: string, signal?: AbortSignal): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    signal,
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

async function gitOrUndefined(args: string[], cwd: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await git(args, cwd, signal)) || undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
}

export async function pullRequestContextFromCheckout(options: LocalCheckoutOptions): Promise<PullRequestContext> {
  const number = options.pr === undefined ? LOCAL_RUN_NUMBER : parsePrNumber(options.pr);
  const cwd = options.cwd ?? process.cwd();
  const { signal } = options;
  const top = await gitOrUndefined(["rev-parse", "--show-toplevel"], cwd, signal);
  if (!top) {
    throw new PrContextError(
      "NOT_A_GIT_CHECKOUT",
      `${JSON.stringify(cwd)} is not inside a git checkout (or git is not installed): run from the repository's folder or pass --source <path to the checkout>`,
    );
  }
  const head = await gitOrUndefined(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], top, signal);
  if (!head) {
    throw new PrContextError(
      "GIT_FAILED",
      `${JSON.stringify(top)} has no commits yet: commit and push the branch first`,
    );
  }
  const branch = await gitOrUndefined(["symbolic-ref", "--quiet", "--short", "HEAD"], top, signal);
  if (!branch) {
    throw new PrContextError(
      "DETACHED_HEAD",
      `${JSON.stringify(top)} is on a detached HEAD (${head.slice(0, 12)}), not a branch: git switch to the PR's branch, or use --sha, --head-ref and --base-ref`,
    );
  }
  const remote =
    options.remote ?? (await gitOrUndefined(["config", "--get", `branch.${branch}.remote`], top, signal)) ?? "origin";
  const remoteUrl = await gitOrUndefined(["remote", "get-url", remote], top, signal);
  if (!remoteUrl) {
    throw new PrContextError(
      "NO_REMOTE",
      `${JSON.stringify(top)} has no remote ${JSON.stringify(remote)}: add it (git remote add ${remote} https://github.com/owner/name.git) and push the branch`,
    );
  }
  const { cloneUrl, owner, repo, host } = normalizeRemoteUrl(remoteUrl);
  const upstreamMerge = await gitOrUndefined(["config", "--get", `branch.${branch}.merge`], top, signal);
  const headRef = validateBranchRef(upstreamMerge ?? branch);
  const remoteHead = await gitOrUndefined(
    ["symbolic-ref", "--quiet", "--short", `refs/remotes/${remote}/HEAD`],
    top,
    signal,
  );
  const baseRef = validateBranchRef(
    options.baseRef ?? (remoteHead ? remoteHead.slice(remote.length + 1) : "main"),
    "base ref",
  );
  const baseSha = await gitOrUndefined(
    ["rev-parse", "--verify", "--quiet", `refs/remotes/${remote}/${baseRef}^{commit}`],
    top,
    signal,
  );
  const status = await git(["status", "--porcelain=v1", "--untracked-files=normal"], top, signal);
  const context: PullRequestContext = {
    owner,
    repo,
    number,
    title: "",
    author: "",
    headSha: validateSha(head),
    headRef,
    headCloneUrl: cloneUrl,
    baseRef,
    baseCloneUrl: cloneUrl,
    mergeRef: number === LOCAL_RUN_NUMBER ? "" : `refs/pull/${number}/merge`,
    isFork: false,
    draft: false,
    state: "open",
    ...(number === LOCAL_RUN_NUMBER ? {} : { htmlUrl: `https://${host}/${owner}/${repo}/pull/${number}` }),
    source: "local-checkout",
    workTreeDirty: status.length > 0,
  };
  if (baseSha) context.baseSha = validateSha(baseSha, "base SHA");
  return context;
}
