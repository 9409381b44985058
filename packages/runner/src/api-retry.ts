// Every API call of a run goes through `callWithRetries`: 429 and 5xx answers, per-attempt
// timeouts and dropped connections are retried with exponential backoff (honouring Retry-After),
// until a budget of attempts runs out, then one RunnerError says which call gave up and why.
// Other answers (4xx) are returned to the caller at once: they are decisions, not accidents.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#retry-after
import { type ConfigurationOptions, Observable, type ObservableMiddleware } from "@kubernetes/client-node";
import { RunnerError } from "./runner-error.ts";

export interface RetryPolicy {
  /** Attempts in all, first included. Default 6. */
  attempts: number;
  /** First backoff; doubled each time. Default 200 ms. */
  baseDelayMs: number;
  /** Longest single wait, Retry-After included. Default 10 s. */
  maxDelayMs: number;
  /** Each attempt is cut after this long. Default 30 s. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  attemptTimeoutMs: 30_000,
};

/** Node and node-fetch error codes that mean "the connection failed", worth another try. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/** The HTTP status of a client-node ApiException (or anything with a numeric code/statusCode). */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === "number") return code;
  if (typeof statusCode === "number") return statusCode;
  return undefined;
}

/** The Status `reason` and `message` the API server sent with an error, when it sent one. */
export function apiStatusOf(error: unknown): { reason?: string; message?: string; details?: { kind?: string } } {
  const body = (error as { body?: unknown } | undefined)?.body;
  const parsed = typeof body === "string" ? safeParse(body) : body;
  if (typeof parsed !== "object" || parsed === null) return {};
  return parsed as { reason?: string; message?: string; details?: { kind?: string } };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    const errno = (current as { errno?: unknown }).errno;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (typeof errno === "string" && NETWORK_CODES.has(errno)) return true;
    if ((current as { type?: unknown }).type === "system") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { headers?: Record<string, string | string[] | undefined> } | undefined)?.headers;
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

type AttemptFailure = { kind: "retry"; detail: string; waitMs?: number } | { kind: "final" };

function classify(error: unknown, attemptTimedOut: boolean): AttemptFailure {
  if (attemptTimedOut) return { kind: "retry", detail: "no answer within the attempt timeout" };
  const status = httpStatusOf(error);
  if (status === 429 || (status !== undefined && status >= 500)) {
    const message = apiStatusOf(error).message;
    return { kind: "retry", detail: `HTTP ${status}${message ? ` (${message})` : ""}`, waitMs: retryAfterMs(error) };
  }
  if (status === undefined && isNetworkError(error)) {
    const code = (error as { code?: unknown }).code;
    return { kind: "retry", detail: `connection failed${typeof code === "string" ? ` (${code})` : ""}` };
  }
  return { kind: "final" };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface CallOptions {
  /** What the call does, for the error: `create Secret ci/pr-pod-x-token`. */
  what: string;
  signal?: AbortSignal;
  policy?: Partial<RetryPolicy>;
  /** Server, for the unreachable error. */
  server?: string;
  /** Called before each retry (tests and progress output). */
  onRetry?: (attempt: number, detail: string, waitMs: number) => void;
}

/**
 * Runs `call` with a signal that ends the attempt (timeout or the caller's abort), retrying what a
 * retry can fix. Returns its value, rethrows decisions (4xx), aborts with the signal's reason.
 */
export async function callWithRetries<T>(call: (signal: AbortSignal) => Promise<T>, options: CallOptions): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  let lastDetail = "";
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    options.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(policy.attemptTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await call(signal);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const failure = classify(error, timeout.aborted);
      if (failure.kind === "final") throw error;
      lastDetail = failure.detail;
      lastError = error;
      if (attempt === policy.attempts) break;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const waitMs = Math.min(policy.maxDelayMs, failure.waitMs ?? backoff * (0.8 + Math.random() * 0.4));
      options.onRetry?.(attempt, failure.detail, waitMs);
      await delay(waitMs, options.signal);
    }
  }
  if (isNetworkError(lastError) && httpStatusOf(lastError) === undefined) {
    throw new RunnerError(
      "CLUSTER_UNREACHABLE",
      `cannot reach the Kubernetes API server${options.server ? ` at ${options.server}` : ""} to ${options.what}: ${lastDetail} after ${policy.attempts} attempts. Check that the cluster is running and that the kubeconfig's current context points at it (kubectl cluster-info).`,
      { cause: lastError },
    );
  }
  throw new RunnerError(
    "RETRY_BUDGET_EXHAUSTED",
    `gave up trying to ${options.what}: ${lastDetail}, ${policy.attempts} attempts in a row. The API server is overloaded or failing; try again later or check its health (kubectl get --raw /readyz).`,
    { cause: lastError },
  );
}

/**
 * client-node call options that make the request end when `signal` aborts: a per-call middleware
 * sets the signal on the request before it is sent. (Per-call middleware of the object-style APIs is
 * the Observable kind, so it returns client-node's Observable.)
 */
export function requestOptions(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}
