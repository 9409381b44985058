// The one error type this package throws. `code` is stable so the apps can map it to an exit code;
// `message` names the offending value and says what to do about it, with anything credential-shaped
// masked (see mask-github-tokens.ts).
import { maskGitHubTokens } from "./mask-github-tokens.ts";

export type PrContextErrorCode =
  | "INVALID_REPO"
  | "INVALID_PR_NUMBER"
  | "INVALID_SHA"
  | "INVALID_REF"
  | "INVALID_PAYLOAD"
  | "INVALID_SIGNATURE"
  | "NOT_A_PULL_REQUEST_EVENT"
  | "PR_NOT_FOUND"
  | "PR_CLOSED"
  | "GITHUB_UNAUTHORIZED"
  | "GITHUB_FORBIDDEN"
  | "GITHUB_RATE_LIMITED"
  | "GITHUB_REQUEST_FAILED"
  | "ABORTED"
  | "NOT_A_GIT_CHECKOUT"
  | "DETACHED_HEAD"
  | "NO_REMOTE"
  | "GIT_FAILED";

export class PrContextError extends Error {
  override readonly name = "PrContextError";
  readonly code: PrContextErrorCode;

  constructor(code: PrContextErrorCode, message: string, options?: { cause?: unknown }) {
    super(maskGitHubTokens(message), options);
    this.code = code;
  }
}
