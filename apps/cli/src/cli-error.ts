// The CLI's own error: a stable code (mapped to an exit code) and the fix, said separately so the
// renderer can lay them out. Errors from the libraries keep their own classes; exitCodeForError maps
// their codes too.
import { EXIT_CODES, type ExitCodeName } from "./exit-codes.ts";

export type CliErrorCode =
  | "USAGE"
  | "NO_KUBECONFIG"
  | "KUBECONFIG_NOT_FOUND"
  | "KUBECONFIG_INVALID"
  | "CONTEXT_NOT_FOUND"
  | "CLUSTER_UNREACHABLE"
  | "CLUSTER_FORBIDDEN"
  | "RUN_NOT_FOUND"
  | "PREVIEW_NOT_FOUND"
  | "LOCAL_CHANGES_TOO_LARGE"
  | "EVENT_FILE"
  | "NOT_IMPLEMENTED";

const exitCodeOfCliError: Record<CliErrorCode, ExitCodeName> = {
  USAGE: "usage",
  NO_KUBECONFIG: "clusterUnreachable",
  KUBECONFIG_NOT_FOUND: "clusterUnreachable",
  KUBECONFIG_INVALID: "clusterUnreachable",
  CONTEXT_NOT_FOUND: "usage",
  CLUSTER_UNREACHABLE: "clusterUnreachable",
  CLUSTER_FORBIDDEN: "forbidden",
  RUN_NOT_FOUND: "badInput",
  PREVIEW_NOT_FOUND: "badInput",
  LOCAL_CHANGES_TOO_LARGE: "badInput",
  EVENT_FILE: "badInput",
  NOT_IMPLEMENTED: "internal",
};

export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;
  /** What the user should do, one sentence. */
  readonly fix?: string;

  constructor(code: CliErrorCode, message: string, options: { fix?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.fix = options.fix;
  }

  get exitCode(): number {
    return EXIT_CODES[exitCodeOfCliError[this.code]];
  }
}
