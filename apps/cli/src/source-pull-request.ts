// `run --source` without `--pr`: which pull request the checked-out branch is. GitHub is asked
// (GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&state=open) when the remote is on github.com or
// --github-api-url names an API; otherwise, or when GitHub cannot answer, the run is a local run
// without a PR number (LOCAL_RUN_NUMBER: names and labels stay valid). Either way the user is told.
import type { PullRequestContext } from "@pr-pod/pr-context";
import { messageOf } from "@pr-pod/runner/pure";

export interface SourcePullRequest {
  /** The open PR's number, or undefined for a local run. */
  number?: number;
  /** One line for the user: what was found, or why this is a local run. */
  note: string;
}

export async function findSourcePullRequest(
  context: Pick<PullRequestContext, "owner" | "repo" | "headRef" | "baseRef" | "headCloneUrl">,
  options: { apiBaseUrl?: string; token?: string; signal?: AbortSignal },
): Promise<SourcePullRequest> {
  const { findOpenPullRequest, GITHUB_API_URL } = await import("@pr-pod/pr-context");
  const slug = `${context.owner}/${context.repo}`;
  const head = `${context.owner}:${context.headRef}`;
  const onGitHub = new URL(context.headCloneUrl).hostname.toLowerCase() === "github.com";
  const apiBaseUrl = options.apiBaseUrl ?? (onGitHub ? GITHUB_API_URL : undefined);
  const localRun = "a local run without a pull request number (pass --pr to name one)";
  if (!apiBaseUrl) {
    return { note: `the remote is not on github.com and --github-api-url is not set: ${localRun}` };
  }
  try {
    const number = await findOpenPullRequest(
      { repo: slug, headOwner: context.owner, headRef: context.headRef, baseRef: context.baseRef },
      {
        baseUrl: apiBaseUrl,
        retries: 1,
        maxRateLimitWaitSeconds: 0,
        ...(options.token ? { token: options.token } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    if (number === undefined) return { note: `${slug} has no open pull request from ${head}: ${localRun}` };
    return { number, note: `branch ${context.headRef} is ${slug}#${number} (the open pull request from ${head})` };
  } catch (error) {
    return { note: `could not ask GitHub which pull request ${head} is (${messageOf(error)}): ${localRun}` };
  }
}
