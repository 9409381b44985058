// Turns the run's PullRequestSource into a PullRequestContext through pr-context.
import {
  fetchPullRequestContext,
  type PullRequestContext,
  pullRequestContextFromFlags,
  pullRequestContextFromWebhook,
} from "@pr-pod/pr-context";
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
    case "github-api":
      return fetchPullRequestContext(
        { repo: source.repo, pr: source.pr },
        {
          ...(token ? { token } : {}),
          ...(source.apiBaseUrl ? { baseUrl: source.apiBaseUrl } : {}),
          ...(signal ? { signal } : {}),
        },
      );
    case "webhook":
      return pullRequestContextFromWebhook({
        payload: source.payload as object,
        ...(source.headers ? { headers: source.headers } : {}),
      });
  }
}
