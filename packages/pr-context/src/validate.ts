// Input checks shared by every source, so a bad repo, PR number, SHA or ref fails the same way
// whichever way the context was built.
import { PrContextError } from "./pr-context-error.ts";

/** GitHub's limits: owner (user/org login) 1-39 chars, alnum and single hyphens; repo 1-100 of [A-Za-z0-9._-]. */
const OWNER_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const REPO_NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const SHA_PATTERN = /^[0-9a-f]{40}$/;
/** GitHub's PR numbers are 32-bit signed integers. */
export const MAX_PR_NUMBER = 2_147_483_647;

export function shorten(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Throws INVALID_REPO unless `owner` and `repo` are names GitHub could have given out. */
export function validateRepo(owner: string, repo: string): void {
  if (!OWNER_PATTERN.test(owner)) {
    throw new PrContextError(
      "INVALID_REPO",
      `invalid repository owner ${JSON.stringify(shorten(owner))}: an owner is 1-39 letters, digits or inner hyphens; pass the repository as owner/name, e.g. --repo octo-org/hello-world`,
    );
  }
  if (!REPO_NAME_PATTERN.test(repo) || repo === "." || repo === "..") {
    throw new PrContextError(
      "INVALID_REPO",
      `invalid repository name ${JSON.stringify(shorten(repo))}: a name is 1-100 letters, digits, '.', '_' or '-'; pass the repository as owner/name, e.g. --repo octo-org/hello-world`,
    );
  }
}

/** Splits "owner/name" (a trailing ".git" is tolerated) and validates both halves. */
export function parseRepoSlug(slug: string): { owner: string; repo: string } {
  const trimmed = slug.trim().replace(/\.git$/, "");
  const parts = trimmed.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new PrContextError(
      "INVALID_REPO",
      `invalid repository ${JSON.stringify(shorten(slug))}: expected owner/name, e.g. --repo octo-org/hello-world`,
    );
  }
  validateRepo(parts[0], parts[1]);
  return { owner: parts[0], repo: parts[1] };
}

/** Accepts a number or a decimal string ("123", "#123"); returns the PR number. */
export function parsePrNumber(value: unknown): number {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  const digits = text.startsWith("#") ? text.slice(1) : text;
  const number = /^[0-9]{1,10}$/.test(digits) ? Number(digits) : Number.NaN;
  if (!Number.isInteger(number) || number < 1 || number > MAX_PR_NUMBER) {
    throw new PrContextError(
      "INVALID_PR_NUMBER",
      `invalid pull request number ${JSON.stringify(shorten(String(value)))}: expected a whole number from 1 to ${MAX_PR_NUMBER}, e.g. --pr 123`,
    );
  }
  return number;
}

/** Returns the SHA in lower case; throws INVALID_SHA unless it is a full 40-hex commit SHA. */
export function validateSha(value: string, what = "head SHA"): string {
  const sha = value.trim().toLowerCase();
  if (!SHA_PATTERN.test(sha)) {
    throw new PrContextError(
      "INVALID_SHA",
      `invalid ${what} ${JSON.stringify(shorten(value))}: expected the full 40-character hex commit SHA (git rev-parse HEAD prints it), not a short or symbolic one`,
    );
  }
  return sha;
}

/**
 * True when `name` is a valid branch name per `git check-ref-format --branch`
 * (https://git-scm.com/docs/git-check-ref-format), given without the refs/heads/ prefix.
 */
export function isValidBranchName(name: string): boolean {
  if (name.length === 0 || name.length > 255) return false;
  // "HEAD" and a leading "-" are refused by `git check-ref-format --branch` (and by `git branch`).
  if (name === "HEAD" || name.startsWith("-")) return false;
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return false;
  if (name.endsWith(".") || name.includes("..") || name.includes("@{")) return false;
  // ASCII control characters, space, ~ ^ : ? * [ \ and DEL are never allowed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters.
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  for (const component of name.split("/")) {
    if (component.startsWith(".") || component.endsWith(".lock")) return false;
  }
  return true;
}

/** Strips refs/heads/ and validates; throws INVALID_REF naming the ref and the rule. */
export function validateBranchRef(value: string, what = "head ref"): string {
  const name = value.startsWith("refs/heads/") ? value.slice("refs/heads/".length) : value;
  if (!isValidBranchName(name)) {
    throw new PrContextError(
      "INVALID_REF",
      `invalid ${what} ${JSON.stringify(shorten(value))}: not a valid git branch name (see git check-ref-format: no spaces, '..', '~^:?*[\\', leading '-' or '.', or trailing '/', '.' or '.lock'); pass the branch name, e.g. --head-ref feature/login`,
    );
  }
  return name;
}
