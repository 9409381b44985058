// Which exit code an error ends the process with. Library errors carry a string `code`
// (PrContextError, the runner's, pat-secret's, kind-cluster's); client-node's ApiException carries the
// HTTP status; network failures carry Node's errno codes. Anything else is a bug in pr-pod (70).
import { CliError } from "./cli-error.ts";
import { EXIT_CODES, type ExitCodeName } from "./exit-codes.ts";

/** Library error codes by the exit code they end in. Unknown codes fall through to the HTTP/network checks. */
const exitCodeByLibraryCode: Record<string, ExitCodeName> = {
  // @pr-pod/pr-context
  INVALID_REPO: "usage",
  INVALID_PR_NUMBER: "usage",
  INVALID_SHA: "usage",
  INVALID_REF: "usage",
  INVALID_PAYLOAD: "badInput",
  INVALID_SIGNATURE: "badInput",
  NOT_A_PULL_REQUEST_EVENT: "badInput",
  PR_NOT_FOUND: "badInput",
  PR_CLOSED: "badInput",
  GITHUB_UNAUTHORIZED: "github",
  GITHUB_FORBIDDEN: "github",
  GITHUB_RATE_LIMITED: "github",
  GITHUB_REQUEST_FAILED: "github",
  NOT_A_GIT_CHECKOUT: "badInput",
  DETACHED_HEAD: "badInput",
  NO_REMOTE: "badInput",
  GIT_FAILED: "badInput",
  // @pr-pod/pat-secret
  TOKEN_MISSING: "missingToken",
  NO_TOKEN: "missingToken",
  MISSING_TOKEN: "missingToken",
  ENV_FILE_UNREADABLE: "missingToken",
  INVALID_TOKEN: "missingToken",
  SECRET_EXISTS: "internal",
  SECRET_REQUEST_FAILED: "clusterUnreachable",
  // @pr-pod/runner and @pr-pod/log-streamer
  CLUSTER_UNREACHABLE: "clusterUnreachable",
  NAMESPACE_NOT_FOUND: "badInput",
  FORBIDDEN: "forbidden",
  RBAC_MISSING: "forbidden",
  PREFLIGHT_FORBIDDEN: "forbidden",
  UNAUTHORIZED: "forbidden",
  TIMEOUT: "timeout",
  DEADLINE_EXCEEDED: "timeout",
  RETRY_BUDGET_EXHAUSTED: "clusterUnreachable",
  INVALID_CONFIG: "usage",
  INVALID_INPUT: "usage",
  INVALID_JOB_OPTIONS: "usage",
  API_ERROR: "badInput",
  CONFIG_INVALID: "usage",
  CONFIG_NOT_FOUND: "usage",
  ABORTED: "interrupted",
  // @pr-pod/kind-cluster: no kind, no Docker, no node image means no cluster to run in
  KIND_NOT_FOUND: "clusterUnreachable",
  KIND_VERSION_UNSUPPORTED: "clusterUnreachable",
  UNSUPPORTED_PLATFORM: "clusterUnreachable",
  DOWNLOAD_FAILED: "clusterUnreachable",
  CHECKSUM_MISMATCH: "clusterUnreachable",
  CHECKSUM_UNKNOWN: "clusterUnreachable",
  DOCKER_NOT_FOUND: "clusterUnreachable",
  DOCKER_NOT_RUNNING: "clusterUnreachable",
  DOCKER_PERMISSION_DENIED: "clusterUnreachable",
  PORT_IN_USE: "clusterUnreachable",
  NODE_IMAGE_PULL_FAILED: "clusterUnreachable",
  CLUSTER_ALREADY_EXISTS: "clusterUnreachable",
  CLUSTER_NOT_RUNNING: "clusterUnreachable",
  KIND_COMMAND_FAILED: "clusterUnreachable",
};

const networkErrnoCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

/** The exit code for an error thrown by a command (not for a run that finished with a verdict). */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  for (const candidate of errorChain(error)) {
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === "string") {
      const name = exitCodeByLibraryCode[code];
      if (name) return EXIT_CODES[name];
      if (networkErrnoCodes.has(code)) return EXIT_CODES.clusterUnreachable;
    }
    if (typeof code === "number" && (code === 401 || code === 403)) return EXIT_CODES.forbidden;
    if (candidate instanceof Error && candidate.name === "AbortError") return EXIT_CODES.interrupted;
    if (candidate instanceof Error && candidate.name === "TimeoutError") return EXIT_CODES.timeout;
  }
  return EXIT_CODES.internal;
}

/** The error, then its causes, stopping at cycles. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
