// Turns the run's PullRequestSource into a PullRequestContext through pr-context. Its GitHub API client
// (octokit) and webhook check load only for the sources that need them, not for an offline run.
import { type PullRequestContext, pullRequestContextFromFlags } from "@pr-pod/pr-context/pure";
import type { PullRequestSource } from "./run-events.ts";

export async function resolvePullRequest(
  source: PullRequestSource,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<PullRequestContext> {
  switch (source.kind) {
    case "context":
      return source.context;
    case "offline":
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
    case "github-api": {
      const { fetchPullRequestContext } = await import("@pr-pod/pr-context");
      return fetchPullRequestContext(
        { repo: source.repo, pr: source.pr },
        {
          ...(token ? { token } : {}),
          ...(source.apiBaseUrl ? { baseUrl: source.apiBaseUrl } : {}),
          ...(signal ? { signal } : {}),
        },
      );
    }
    case "webhook": {
      const { pullRequestContextFromWebhook } = await import("@pr-pod/pr-context");
      return pullRequestContextFromWebhook({
        payload: source.payload as object,
        ...(source.headers ? { headers: source.headers } : {}),
      });
    }
  }
}
