// The PullRequestContext for commands that need it before (or without) a run: render and
// simulate --print-payload. Resolution itself is pr-context's; this only picks the call.
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { FlagPullRequestSource } from "./pull-request-flags.ts";

export async function resolveContextFromFlags(
  source: Exclude<FlagPullRequestSource, { kind: "local-checkout" }>,
  token: string | undefined,
): Promise<PullRequestContext> {
  if (source.kind === "offline") {
    // Offline flags need no GitHub client: the pure part only (no octokit loaded).
    const { pullRequestContextFromFlags } = await import("@pr-pod/pr-context/pure");
    return pullRequestContextFromFlags({
      repo: source.repo,
      pr: source.pr,
      sha: source.sha,
      headRef: source.headRef,
      baseRef: source.baseRef,
      ...(source.cloneUrl ? { cloneUrl: source.cloneUrl } : {}),
      ...(source.headRepo ? { headRepo: source.headRepo } : {}),
      ...(source.headCloneUrl ? { headCloneUrl: source.headCloneUrl } : {}),
    });
  }
  const { fetchPullRequestContext } = await import("@pr-pod/pr-context");
  return fetchPullRequestContext(
    { repo: source.repo, pr: source.pr },
    { ...(token ? { token } : {}), ...(source.apiBaseUrl ? { baseUrl: source.apiBaseUrl } : {}) },
  );
}

/** The token when one is configured, else undefined (public repositories resolve without one). */
export async function optionalToken(env: NodeJS.ProcessEnv, envFile?: string): Promise<string | undefined> {
  const { loadGitHubToken } = await import("@pr-pod/pat-secret/pure");
  try {
    return (await loadGitHubToken({ env, ...(envFile ? { envFile } : {}) })).token;
  } catch {
    return undefined;
  }
}
