// The fully offline form: `--repo --pr --sha --head-ref --base-ref`, no API call. One clone URL
// describes the repository (a mirror, GitHub Enterprise, a local git server); it defaults to
// `<serverUrl>/<owner>/<name>.git`. A PR from a fork says so explicitly, with the head repository
// (`headRepo`, on the same server) or its clone URL (`headCloneUrl`): a fork withholds the token.
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
  /** Clone URL of the repository (base, and head unless a fork is named); default `<serverUrl>/<owner>/<name>.git`. */
  cloneUrl?: string;
  /** A fork's "owner/name", cloned from the same server as `cloneUrl`. Makes the PR a fork's when it differs. */
  headRepo?: string;
  /** A fork's clone URL. Makes the PR a fork's when it differs from the repository's. */
  headCloneUrl?: string;
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

function headCloneUrlFromFlags(flags: OfflinePullRequest, baseCloneUrl: string): string {
  if (flags.headRepo !== undefined && flags.headCloneUrl !== undefined) {
    throw new PrContextError(
      "INVALID_REPO",
      "both a head repository and a head clone URL were given: name the fork once, with --head-repo owner/name (same server) or --head-clone-url URL",
    );
  }
  if (flags.headCloneUrl !== undefined) return validateCloneUrl(flags.headCloneUrl);
  if (flags.headRepo === undefined) return baseCloneUrl;
  const head = parseRepoSlug(flags.headRepo);
  // Same server and path prefix as the repository's URL: only the trailing owner/name changes.
  const prefix = baseCloneUrl.replace(/\/[^/]+\/[^/]+?(?:\.git)?\/?$/, "");
  return `${prefix}/${head.owner}/${head.repo}.git`;
}

export function pullRequestContextFromFlags(flags: OfflinePullRequest): PullRequestContext {
  const { owner, repo } = parseRepoSlug(flags.repo);
  const number = parsePrNumber(flags.pr);
  const serverUrl = (flags.serverUrl ?? "https://github.com").replace(/\/+$/, "");
  const baseCloneUrl = flags.cloneUrl ? validateCloneUrl(flags.cloneUrl) : `${serverUrl}/${owner}/${repo}.git`;
  const headCloneUrl = headCloneUrlFromFlags(flags, baseCloneUrl);
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
