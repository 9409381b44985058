// The chart files a preview deploys, for a run with no checkout on this machine (`run --repo --pr`,
// the action on another repository, the webhook service): a git fetch of exactly the commit the pod
// built into a temporary folder, and a checkout of only the chart folders and values files, so the
// deploy reads the same files the pod saw. With checkout head that is the head SHA; with checkout merge
// the pod merged the head onto the base it reported, so the same merge is redone here with
// `git merge-tree --write-tree` (the tree, not the pod's local merge commit, which exists nowhere else).
//
// The token reaches git only through a credential helper in env-only config (GIT_CONFIG_COUNT) that
// reads it from the child's environment when git asks, for the clone URLs' hosts only: never in an
// argument list, a URL, a log line or an error (git's own messages are redacted before they are shown).
// https://git-scm.com/docs/gitcredentials#_custom_helpers
import { execFile } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { messageOf, RunnerError } from "./runner-error.ts";

export interface PreviewChartSourceOptions {
  /** `git` on PATH by default. */
  gitPath?: string;
  /** The head repository's clone URL (the fork's for a fork PR). */
  headCloneUrl: string;
  /** The base repository's clone URL: the merge base's home, and refs/pull/N/head. */
  baseCloneUrl: string;
  pr: number;
  headRef?: string;
  checkout: "head" | "merge";
  headSha: string;
  /** With checkout merge: the base commit the pod merged onto (its report's baseSha). */
  baseSha?: string;
  /** Chart folders and values files, relative to the repository root. */
  paths: string[];
  /** Chart folders among `paths`: each must hold a Chart.yaml. */
  chartPaths: string[];
  /** Sent as the basic-auth password, only to the clone URLs' hosts. */
  token?: string;
  signal?: AbortSignal;
}

export interface PreviewChartSource {
  /** The folder the chart paths are relative to. */
  dir: string;
  /** What was checked out: the head commit, or the merged tree. */
  revision: string;
  /** Removes the folder. */
  dispose(): Promise<void>;
}

/** What fetchBuiltCommit needs: the chart source's options without the paths. */
export type BuiltCommitOptions = Omit<PreviewChartSourceOptions, "paths" | "chartPaths">;

/** The commit the pod built, fetched into a folder with nothing checked out yet. */
export interface BuiltCommit extends PreviewChartSource {
  /** Those of `paths` the commit has (it reads trees only, so no blob is fetched to ask). */
  present(paths: string[]): Promise<string[]>;
  /** Checks out `paths`, each of which must be in the commit, and checks each of `chartPaths` holds a Chart.yaml. */
  checkOut(paths: string[], chartPaths: string[]): Promise<void>;
}

const sourceError = (message: string, cause?: unknown) =>
  new RunnerError("PREVIEW_SOURCE", message, cause === undefined ? undefined : { cause });

/** Git's environment: no prompts, no other credential helpers, ours for the given hosts only. */
function gitCredentialEnv(urls: string[], token: string | undefined): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", SSH_ASKPASS: "" };
  const origins = [...new Set(urls.map((url) => new URL(url).origin))];
  const entries: [string, string][] = [["credential.helper", ""]];
  if (token) {
    env.PR_POD_GIT_TOKEN = token;
    // The helper runs in git's shell; $PR_POD_GIT_TOKEN is expanded there, never by us.
    const helper =
      '!f() { test "$1" = get || return 0; echo username=x-access-token; echo "password=$PR_POD_GIT_TOKEN"; }; f';
    for (const origin of origins) entries.push([`credential.${origin}.helper`, helper]);
  }
  env.GIT_CONFIG_COUNT = String(entries.length);
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

interface GitResult {
  stdout: string;
}

/**
 * Fetches the commit the pod built and checks out only `paths` into a new temporary folder. Throws
 * RunnerError PREVIEW_SOURCE naming the problem and the fix (git missing, commit not fetchable, path
 * not in the commit, a chart folder without Chart.yaml); the folder is removed on failure.
 */
export async function fetchPreviewChartSource(options: PreviewChartSourceOptions): Promise<PreviewChartSource> {
  const commit = await fetchBuiltCommit(options);
  try {
    await commit.checkOut(options.paths, options.chartPaths);
    return { dir: commit.dir, revision: commit.revision, dispose: commit.dispose };
  } catch (error) {
    await commit.dispose();
    throw error;
  }
}

/**
 * Fetches the commit the pod built (with checkout merge, redoes its merge) into a new temporary folder,
 * with nothing checked out: for a caller that reads more than one set of files from it (the
 * repository's config file, then the charts it names). Errors as fetchPreviewChartSource's; the folder
 * is removed when the fetch fails, else by dispose.
 */
export async function fetchBuiltCommit(options: BuiltCommitOptions): Promise<BuiltCommit> {
  const git = options.gitPath ?? "git";
  const token = options.token;
  const redact = (text: string) => (token ? text.replaceAll(token, "***") : text);
  const env = { ...process.env, ...gitCredentialEnv([options.headCloneUrl, options.baseCloneUrl], token) };
  const dir = await mkdtemp(path.join(tmpdir(), "pr-pod-preview-"));
  const dispose = () => rm(dir, { recursive: true, force: true });

  const run = (args: string[]): Promise<GitResult> =>
    new Promise((resolve, reject) => {
      execFile(
        git,
        ["-C", dir, ...args],
        { env, maxBuffer: 16 * 1024 * 1024, ...(options.signal ? { signal: options.signal } : {}) },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout });
          if ((error as NodeJS.ErrnoException).code === "ENOENT") {
            return reject(
              sourceError(
                `git was not found (${git}): the preview's charts are fetched with git for a run without --source; install git, or run with --source on a checkout`,
              ),
            );
          }
          if (options.signal?.aborted) return reject(options.signal.reason);
          const message = redact(String(stderr).trim().split("\n").filter(Boolean).slice(-2).join("; "));
          reject(Object.assign(new Error(message || `git ${args[0]} failed`), { gitFailure: true }));
        },
      );
    });
  const has = (sha: string) =>
    run(["cat-file", "-e", `${sha}^{commit}`]).then(
      () => true,
      () => false,
    );
  // Named remotes, so a partial clone knows where to fetch the blobs it left out.
  const remotes = new Map([[options.baseCloneUrl, "base"]]);
  if (options.headCloneUrl !== options.baseCloneUrl) remotes.set(options.headCloneUrl, "head");
  const remote = (url: string) => remotes.get(url) ?? url;
  /**
   * The SHA by itself (GitHub allows any reachable SHA), else the branch and refs/pull/N/head. Commits and
   * trees only (`--filter=blob:none`): the checkout fetches just the chart files' blobs. A server without
   * partial clone support sends everything instead, as git says and goes on.
   */
  const fetchCommit = async (sha: string, url: string, depth: string[], refs: string[]) => {
    let first: unknown;
    try {
      await run(["fetch", "--quiet", "--no-tags", "--filter=blob:none", ...depth, remote(url), sha]);
      return;
    } catch (error) {
      first = error;
      if (isAuthFailure(error)) throw authError(url, token, error);
    }
    for (const [refUrl, ref] of refs.map((r) => r.split(" ", 2) as [string, string])) {
      const target = `+${ref}:refs/pr-pod/${ref.replaceAll("/", "-")}`;
      await run(["fetch", "--quiet", "--no-tags", "--filter=blob:none", remote(refUrl), target]).catch(() => undefined);
      if (await has(sha)) return;
    }
    throw sourceError(
      `commit ${sha} could not be fetched from ${url} (${messageOf(first)}): was the PR force-pushed since the build? Re-run the PR at its current head`,
      first,
    );
  };

  /** A RunnerError (or the abort) as it is, anything else as PREVIEW_SOURCE. */
  const failure = (error: unknown) =>
    error instanceof RunnerError || options.signal?.aborted
      ? error
      : sourceError(`fetching the preview's charts failed: ${messageOf(error)}`, error);

  let revision: string;
  try {
    await run(["init", "--quiet"]);
    for (const [url, name] of remotes) await run(["remote", "add", name, url]);
    const fallbackRefs = [
      ...(options.headRef ? [`${options.headCloneUrl} refs/heads/${options.headRef}`] : []),
      `${options.baseCloneUrl} refs/pull/${options.pr}/head`,
    ];
    if (options.checkout === "merge") {
      if (!options.baseSha) {
        throw sourceError(
          "the pod merged onto a base it did not report (no baseSha in its report), so the preview cannot deploy the same files: re-run with checkout head, or update the pod image's script",
        );
      }
      // merge-tree needs both histories down to their merge base: full fetches, as the pod's own merge.
      await fetchCommit(options.baseSha, options.baseCloneUrl, [], []);
      await fetchCommit(options.headSha, options.headCloneUrl, [], fallbackRefs);
      try {
        revision = (
          await run(["merge-tree", "--write-tree", "--no-messages", options.baseSha, options.headSha])
        ).stdout.split("\n")[0]!;
      } catch (error) {
        throw sourceError(
          `git could not redo the pod's merge of ${options.headSha} onto ${options.baseSha} (${messageOf(error)}): git 2.38 or later is needed for previews of checkout merge runs; upgrade git, or use checkout head`,
          error,
        );
      }
    } else {
      await fetchCommit(options.headSha, options.headCloneUrl, ["--depth=1"], fallbackRefs);
      revision = options.headSha;
    }
  } catch (error) {
    await dispose();
    throw failure(error);
  }

  // Every failure here is already a PREVIEW_SOURCE RunnerError naming the path.
  const checkOut = async (paths: string[], chartPaths: string[]) => {
    for (const wanted of paths) {
      try {
        await run(["checkout", "--quiet", revision, "--", wanted]);
      } catch (error) {
        throw sourceError(
          `${wanted} is not in the repository at ${options.checkout === "merge" ? `the merge of ${options.headSha.slice(0, 7)}` : options.headSha}: fix the path in the config file's preview section (relative to the repository root)`,
          error,
        );
      }
    }
    for (const chart of chartPaths) {
      const found = await stat(path.join(dir, chart, "Chart.yaml")).then(
        () => true,
        () => false,
      );
      if (!found) {
        throw sourceError(
          `${chart} has no Chart.yaml at ${options.headSha.slice(0, 7)}: preview.charts[].path must name a Helm chart folder`,
        );
      }
    }
  };
  const present = async (paths: string[]) => {
    try {
      // ls-tree reads trees only, which the partial clone has: no blob is fetched to ask.
      return paths.length === 0
        ? []
        : (await run(["ls-tree", "--name-only", revision, "--", ...paths])).stdout.split("\n").filter(Boolean);
    } catch (error) {
      throw failure(error);
    }
  };
  return { dir, revision, present, checkOut, dispose };
}

function isAuthFailure(error: unknown): boolean {
  return /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]/i.test(
    messageOf(error),
  );
}

function authError(url: string, token: string | undefined, cause: unknown): RunnerError {
  return sourceError(
    token
      ? `the git server at ${url} refused the token while fetching the preview's charts: check that it is valid and can read the repository`
      : `the git server at ${url} asked for credentials while fetching the preview's charts, and this run has no token for it (fork PRs get none without --allow-fork-token)`,
    cause,
  );
}
