// Maps GitHub's pull_request object (the same shape in webhook payloads, the Actions event payload
// and the REST API's "get a pull request" response) to a PullRequestContext, checking every field
// it relies on. https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext, PullRequestContextSource } from "./pull-request-context.ts";
import { parsePrNumber, validateBranchRef, validateRepo, validateSha } from "./validate.ts";

export interface ClosedPullRequestOptions {
  /** Build closed (and merged) PRs too. Default false: a closed PR is a PR_CLOSED error. */
  allowClosed?: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(object: Json, path: string, where: string): unknown {
  let current: unknown = object;
  for (const key of path.split(".")) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  if (current === undefined || current === null) {
    throw new PrContextError(
      "INVALID_PAYLOAD",
      `${where} has no ${path}: pass GitHub's pull_request object unchanged (as the webhook or GET /repos/{owner}/{repo}/pulls/{number} sends it)`,
    );
  }
  return current;
}

function text(object: Json, path: string, where: string): string {
  const value = field(object, path, where);
  if (typeof value !== "string") {
    throw new PrContextError(
      "INVALID_PAYLOAD",
      `${where} has a ${typeof value} at ${path} where GitHub sends a string: pass GitHub's pull_request object unchanged`,
    );
  }
  return value;
}

/** Builds the context from a pull_request object; `action` is the event action when there was one. */
export function contextFromPullRequestObject(
  pullRequest: unknown,
  source: PullRequestContextSource,
  options: ClosedPullRequestOptions & { action?: string; where?: string } = {},
): PullRequestContext {
  const where = options.where ?? "the pull_request object";
  if (!isObject(pullRequest)) {
    throw new PrContextError(
      "INVALID_PAYLOAD",
      `${where} is ${pullRequest === null ? "null" : typeof pullRequest}, not an object: pass the pull_request event's payload`,
    );
  }
  const number = parsePrNumber(field(pullRequest, "number", where));
  const owner = text(pullRequest, "base.repo.owner.login", where);
  const repo = text(pullRequest, "base.repo.name", where);
  validateRepo(owner, repo);
  const baseCloneUrl = text(pullRequest, "base.repo.clone_url", where);
  if (!isObject(pullRequest["head"]) || !isObject(pullRequest["head"]["repo"])) {
    throw new PrContextError(
      "INVALID_PAYLOAD",
      `pull request ${owner}/${repo}#${number} has no head repository (the fork was deleted): there is nothing to clone; push the branch to a repository that exists and open a new PR`,
    );
  }
  const headCloneUrl = text(pullRequest, "head.repo.clone_url", where);
  const headFullName = text(pullRequest, "head.repo.full_name", where);
  const baseFullName = text(pullRequest, "base.repo.full_name", where);
  const state = text(pullRequest, "state", where);
  if (state !== "open" && state !== "closed") {
    throw new PrContextError("INVALID_PAYLOAD", `${where} has state ${JSON.stringify(state)}: expected open or closed`);
  }
  if (state === "closed" && !options.allowClosed) {
    const merged = pullRequest["merged"] === true || typeof pullRequest["merged_at"] === "string";
    throw new PrContextError(
      "PR_CLOSED",
      `pull request ${owner}/${repo}#${number} is ${merged ? "merged" : "closed"}: reopen it, or allow closed PRs (allowClosed: true, --allow-closed) to build it anyway`,
    );
  }
  const context: PullRequestContext = {
    owner,
    repo,
    number,
    title: typeof pullRequest["title"] === "string" ? pullRequest["title"] : "",
    author: text(pullRequest, "user.login", where),
    headSha: validateSha(text(pullRequest, "head.sha", where)),
    headRef: validateBranchRef(text(pullRequest, "head.ref", where)),
    headCloneUrl,
    baseRef: validateBranchRef(text(pullRequest, "base.ref", where), "base ref"),
    baseSha: validateSha(text(pullRequest, "base.sha", where), "base SHA"),
    baseCloneUrl,
    mergeRef: `refs/pull/${number}/merge`,
    isFork: headFullName.toLowerCase() !== baseFullName.toLowerCase(),
    draft: pullRequest["draft"] === true,
    state,
    source,
  };
  if (typeof pullRequest["html_url"] === "string") context.htmlUrl = pullRequest["html_url"];
  if (options.action) context.action = options.action;
  return context;
}
