// The fully offline form: `--repo --pr --sha --head-ref --base-ref`, no API call. The clone URL is
// derived from the server URL unless given (a fork's URL must be given to build a fork's branch).
import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { parsePrNumber, parseRepoSlug, shorten, validateBranchRef, validateSha } from "./validate.ts";

export interface OfflinePullRequest {
  /** "owner/name" of the base repository. */
  repo: string;
  pr: number | string;
  /** Full 40-hex head SHA. */
  sha: string;
  headRef: string;
  baseRef: string;
  baseSha?: string;
  /** HTTPS clone URL of the head repository; default `<serverUrl>/<owner>/<name>.git`. */
  cloneUrl?: string;
  title?: string;
  author?: string;
  /** Web root for derived URLs; default https://github.com (GitHub Enterprise: https://HOST). */
  serverUrl?: string;
}

function validateCloneUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
    throw new PrContextError(
      "INVALID_REPO",
      `invalid clone URL ${JSON.stringify(shorten(url?.username || url?.password ? "(a URL with credentials)" : value))}: give an http(s) URL without credentials, e.g. https://github.com/owner/name.git (the token is added in the pod)`,
    );
  }
  return value;
}

export function pullRequestContextFromFlags(flags: OfflinePullRequest): PullRequestContext {
  const { owner, repo } = parseRepoSlug(flags.repo);
  const number = parsePrNumber(flags.pr);
  const serverUrl = (flags.serverUrl ?? "https://github.com").replace(/\/+$/, "");
  const baseCloneUrl = `${serverUrl}/${owner}/${repo}.git`;
  const headCloneUrl = flags.cloneUrl ? validateCloneUrl(flags.cloneUrl) : baseCloneUrl;
  const context: PullRequestContext = {
    owner,
    repo,
    number,
    title: flags.title ?? "",
    author: flags.author ?? "",
    headSha: validateSha(flags.sha),
    headRef: validateBranchRef(flags.headRef),
    headCloneUrl,
    baseRef: validateBranchRef(flags.baseRef, "base ref"),
    baseCloneUrl,
    mergeRef: `refs/pull/${number}/merge`,
    isFork: headCloneUrl.replace(/\.git$/, "").toLowerCase() !== baseCloneUrl.replace(/\.git$/, "").toLowerCase(),
    draft: false,
    state: "open",
    htmlUrl: `${serverUrl}/${owner}/${repo}/pull/${number}`,
    source: "offline",
  };
  if (flags.baseSha) context.baseSha = validateSha(flags.baseSha, "base SHA");
  return context;
}
