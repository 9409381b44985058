// The one error type the runner throws. `code` is stable so the apps can map it to an exit code;
// `message` names the offending value and says what to do, and never contains the token (every
// message built from cluster or pod text goes through the run's redactor first).

export type RunnerErrorCode =
  /** An option has a value the run cannot use (names the option). */
  | "INVALID_INPUT"
  /** `pr-pod.config.{json,yaml}` could not be parsed or has a wrong key or type. */
  | "INVALID_CONFIG"
  /** An explicit config file path does not exist. */
  | "CONFIG_NOT_FOUND"
  /** No GitHub token was given and none could be loaded. */
  | "NO_TOKEN"
  /** The API server did not answer (connection refused, DNS, TLS...). */
  | "CLUSTER_UNREACHABLE"
  /** The API server rejected the credentials (401). */
  | "UNAUTHORIZED"
  /** Preflight found missing permissions, or the API server answered 403. */
  | "FORBIDDEN"
  /** The namespace does not exist and createNamespace is off. */
  | "NAMESPACE_NOT_FOUND"
  /** The run did not finish within its deadline. */
  | "TIMEOUT"
  /** A call kept failing with 429/5xx/timeouts until the retry budget ran out. */
  | "RETRY_BUDGET_EXHAUSTED"
  /** The API server refused a request for another reason (4xx). */
  | "API_ERROR"
  /** The run was aborted through its signal (only for calls that have no result to return). */
  | "ABORTED"
  /** The preview's chart files could not be fetched at the built commit (git missing, commit gone, path not there). */
  | "PREVIEW_SOURCE";

export class RunnerError extends Error {
  override readonly name = "RunnerError";
  readonly code: RunnerErrorCode;
  /** For FORBIDDEN from preflight: each missing permission, e.g. `create roles.rbac.authorization.k8s.io in namespace ci`. */
  readonly missingPermissions?: string[];

  constructor(code: RunnerErrorCode, message: string, options?: { cause?: unknown; missingPermissions?: string[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.missingPermissions) this.missingPermissions = options.missingPermissions;
  }
}

/** The message of anything thrown (an Error's message, else its text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
