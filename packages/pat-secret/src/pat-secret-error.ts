// The one error type this package throws. `code` is stable so the apps can map it to an exit code.
// Messages name what was looked at and what to do, and never contain the token: anything
// token-shaped is masked on the way in, as a last line of defence.
import { maskGitHubTokens } from "@pr-pod/pr-context/pure";

export type PatSecretErrorCode =
  | "NO_TOKEN"
  | "ENV_FILE_UNREADABLE"
  | "INVALID_TOKEN"
  | "SECRET_EXISTS"
  | "SECRET_NOT_FOUND"
  | "NAMESPACE_NOT_FOUND"
  | "FORBIDDEN"
  | "SECRET_REQUEST_FAILED"
  | "ABORTED";

export class PatSecretError extends Error {
  override readonly name = "PatSecretError";
  readonly code: PatSecretErrorCode;

  constructor(code: PatSecretErrorCode, message: string, options?: { cause?: unknown }) {
    super(maskGitHubTokens(message), options);
    this.code = code;
  }
}
