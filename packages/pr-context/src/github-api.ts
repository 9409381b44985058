// `--repo owner/name --pr 123`: looks the PR up with GET /repos/{owner}/{repo}/pulls/{pull_number}
// (https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request) through Octokit with the retry
// plugin (5xx) and the throttling plugin (rate limits). baseUrl points it at GitHub Enterprise Server.
// GitHub's own error text is passed on only after anything token-like has been cut from it.
import { Octokit } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { type ClosedPullRequestOptions, contextFromPullRequestObject } from "./pull-request-payload.ts";
import { parsePrNumber, parseRepoSlug, shorten } from "./validate.ts";

const PrPodOctokit = Octokit.plugin(restEndpointMethods, retry, throttling);

export const GITHUB_API_URL = "https://api.github.com";

export interface PullRequestLookup {
  /** "owner/name", or the two parts. */
  repo: string | { owner: string; repo: string };
  /** The PR number (a "123" or "#123" string is accepted). */
  pr: number | string;
}

export interface GitHubApiOptions extends ClosedPullRequestOptions {
  /** GitHub token; without one, only public repositories resolve (60 requests an hour). */
  token?: string;
  /** REST API root; for GitHub Enterprise Server `https://HOST/api/v3`. Default https://api.github.com. */
  baseUrl?: string;
  /** Retries of 5xx answers and network errors, with back-off. Default 3. */
  retries?: number;
  /** Wait out a rate limit once when it resets within this many seconds. Default 60; 0 never waits. */
  maxRateLimitWaitSeconds?: number;
  signal?: AbortSignal;
}

/** Cuts anything that looks like a credential out of text that came from a server. */
function sanitizeRemoteText(text: string, token: string | undefined): string {
  let clean = token ? text.split(token).join("***") : text;
  clean = clean.replace(/\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]+/g, "***");
  clean = clean.replace(/[A-Za-z0-9+/_=-]{24,}/g, "***");
  return shorten(clean.replace(/\s+/g, " ").trim(), 200);
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number";
}

function describeRateLimit(headers: Record<string, string | number | undefined>): string {
  const reset = Number(headers["x-ratelimit-reset"]);
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return `retry after ${retryAfter} s`;
  if (Number.isFinite(reset) && reset > 0) return `the limit resets at ${new Date(reset * 1000).toISOString()}`;
  return "wait a while";
}

function toPrContextError(
  error: unknown,
  slug: string,
  number: number | undefined,
  options: GitHubApiOptions,
): PrContextError {
  // undefined: listing the repository's open pull requests (findOpenPullRequest).
  const where = number === undefined ? `the open pull requests of ${slug}` : `${slug}#${number}`;
  const api = options.baseUrl ?? GITHUB_API_URL;
  if (!isRequestError(error) || error.status >= 500 || error.status < 400) {
    if (options.signal?.aborted) {
      return new PrContextError("ABORTED", `looking up ${where} at ${api} was aborted`);
    }
    const raw = error instanceof Error ? error.message : String(error);
    const status = isRequestError(error) ? ` (HTTP ${error.status})` : "";
    return new PrContextError(
      "GITHUB_REQUEST_FAILED",
      `looking up ${where} at ${api} failed${status}: ${sanitizeRemoteText(raw, options.token)}; check the network and the API URL (GitHub Enterprise: --api-url https://HOST/api/v3), or run offline with --sha, --head-ref and --base-ref`,
    );
  }
  const headers = error.response?.headers ?? {};
  const data = error.response?.data as { message?: unknown } | undefined;
  const said =
    typeof data?.message === "string" ? ` (GitHub says: ${sanitizeRemoteText(data.message, options.token)})` : "";
  const rateLimited =
    error.status === 429 ||
    (error.status === 403 &&
      (String(headers["x-ratelimit-remaining"]) === "0" ||
        headers["retry-after"] !== undefined ||
        /rate limit/i.test(String(data?.message ?? ""))));
  if (rateLimited) {
    return new PrContextError(
      "GITHUB_RATE_LIMITED",
      `GitHub rate-limited the lookup of ${where}${said}: ${describeRateLimit(headers)}; a token raises the limit (set GITHUB_PAT), or run offline with --sha, --head-ref and --base-ref`,
    );
  }
  switch (error.status) {
    case 401:
      return new PrContextError(
        "GITHUB_UNAUTHORIZED",
        `GitHub did not accept the token while looking up ${where}${said}: the token is wrong, expired or revoked; create a new one and set GITHUB_PAT`,
      );
    case 403:
      return new PrContextError(
        "GITHUB_FORBIDDEN",
        `the token may not read ${where}${said}: give it access to ${slug} (classic: the repo scope; fine-grained: "Pull requests: read" on that repository), or ask an org owner to approve it`,
      );
    case 404:
      return new PrContextError(
        "PR_NOT_FOUND",
        `${number === undefined ? `repository ${slug}` : `pull request ${where}`} was not found${said}: check the repository and PR number; for a private repository, GitHub answers 404 when the token (${options.token ? "given" : "none given"}) cannot see it`,
      );
    default:
      return new PrContextError(
        "GITHUB_REQUEST_FAILED",
        `GitHub answered HTTP ${error.status} to the lookup of ${where}${said}: check the repository and PR number`,
      );
  }
}

export interface OpenPullRequestLookup {
  /** "owner/name" of the repository the PR would target. */
  repo: string;
  /** The branch, and the owner of the repository it lives in (the same owner unless a fork). */
  headOwner: string;
  headRef: string;
  /** When several open PRs come from the branch, the one targeting this branch. */
  baseRef?: string;
}

function octokitFor(options: GitHubApiOptions) {
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const waitOnce = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < 1 && retryAfter <= maxWait;
  return new PrPodOctokit({
    auth: options.token || undefined,
    baseUrl: (options.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, ""),
    userAgent: "pr-pod",
    log: { debug() {}, info() {}, warn() {}, error() {} },
    retry: { retries: options.retries ?? 3 },
    throttle: { onRateLimit: waitOnce, onSecondaryRateLimit: waitOnce },
    request: { signal: options.signal },
  });
}

/**
 * The number of the open pull request whose head is `headOwner:headRef`, or undefined when there is
 * none: GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&state=open
 * (https://docs.github.com/en/rest/pulls/pulls#list-pull-requests). Errors are PrContextErrors, as for
 * fetchPullRequestContext; a caller that can do without a PR decides whether they matter.
 */
export async function findOpenPullRequest(
  lookup: OpenPullRequestLookup,
  options: GitHubApiOptions = {},
): Promise<number | undefined> {
  const { owner, repo } = parseRepoSlug(lookup.repo);
  let data: unknown;
  try {
    ({ data } = await octokitFor(options).rest.pulls.list({
      owner,
      repo,
      head: `${lookup.headOwner}:${lookup.headRef}`,
      state: "open",
      per_page: 100,
    }));
  } catch (error) {
    throw toPrContextError(error, `${owner}/${repo}`, undefined, options);
  }
  const pulls = (Array.isArray(data) ? data : []) as Array<{ number?: unknown; base?: { ref?: unknown } }>;
  const numbered = pulls.filter((pr) => typeof pr.number === "number");
  const chosen = numbered.find((pr) => lookup.baseRef !== undefined && pr.base?.ref === lookup.baseRef) ?? numbered[0];
  return chosen ? (chosen.number as number) : undefined;
}

/** Resolves `--repo owner/name --pr N` to a full context through the GitHub REST API. */
export async function fetchPullRequestContext(
  lookup: PullRequestLookup,
  options: GitHubApiOptions = {},
): Promise<PullRequestContext> {
  const { owner, repo } = parseRepoSlug(
    typeof lookup.repo === "string" ? lookup.repo : `${lookup.repo.owner}/${lookup.repo.repo}`,
  );
  const number = parsePrNumber(lookup.pr);
  const octokit = octokitFor(options);
  let data: unknown;
  try {
    ({ data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number }));
  } catch (error) {
    throw toPrContextError(error, `${owner}/${repo}`, number, options);
  }
  return contextFromPullRequestObject(data, "github-api", {
    ...options,
    where: `GitHub's answer for ${owner}/${repo}#${number}`,
  });
}
