// A streaming GET against the API server, with the kubeconfig's TLS and auth, that yields the body's
// chunks as they arrive (Buffers, never decoded here: log-bytes.ts splits them into lines).
// Why not client-node's `Log`: it pipes the response into your stream and resolves before data
// arrives, a connection dropped mid-body never ends that stream (pipe does not forward errors),
// and non-500 errors lose the server's message. Here a clean end, a drop and an HTTP error are
// three different outcomes, which is what reconnecting needs.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { keepAliveKubeConfig } from "./keep-alive-kube-config.ts";

/** An HTTP error from the API server, with the Status message it sent. */
export class KubeHttpError extends Error {
  readonly statusCode: number;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  constructor(statusCode: number, message: string, reason?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = "KubeHttpError";
    this.statusCode = statusCode;
    if (reason !== undefined) this.reason = reason;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface StreamRequestOptions {
  path: string;
  query: Record<string, string | undefined>;
  signal: AbortSignal;
}

/**
 * Opens the GET and resolves once the response headers are in (rejects with {@link KubeHttpError}
 * on a non-2xx answer, or with the network error). The returned iterable yields the body's chunks
 * as received (one async step per chunk) and ends on a clean end of the body; it throws when the
 * body is cut short. A server that closes mid-line ends cleanly too: the caller sees the last
 * piece without its newline.
 */
export async function openByteStream(
  kubeConfig: KubeConfig,
  options: StreamRequestOptions,
): Promise<AsyncIterable<Buffer>> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster: set a current-context");
  const url = new URL(cluster.server.replace(/\/+$/, "") + options.path);
  for (const [key, value] of Object.entries(options.query)) if (value !== undefined) url.searchParams.set(key, value);
  const requestOptions: https.RequestOptions = {};
  await keepAliveKubeConfig(kubeConfig).applyToHTTPSOptions(requestOptions);
  const transport = url.protocol === "http:" ? http : https;
  options.signal.throwIfAborted();

  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = transport.request(url, { ...requestOptions, method: "GET", signal: options.signal }, resolve);
    request.on("error", reject);
    request.end();
  });
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    const body = await readBody(response).catch(() => "");
    throw httpErrorFrom(status, body, response.headers["retry-after"]);
  }
  return readChunks(response);
}

async function readBody(response: http.IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of response) {
    body += chunk.toString();
    if (body.length > 65_536) break;
  }
  return body;
}

function httpErrorFrom(status: number, body: string, retryAfter: string | string[] | undefined): KubeHttpError {
  let message = body.trim() || `HTTP ${status}`;
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(body) as { message?: string; reason?: string };
    if (parsed.message) message = parsed.message;
    reason = parsed.reason;
  } catch {
    // not a Status object: keep the raw text
  }
  const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return new KubeHttpError(status, message, reason, Number.isFinite(seconds) ? seconds : undefined);
}

async function* readChunks(response: http.IncomingMessage): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
    // Node ends the iteration quietly when the socket closes before the end of a chunked body.
    if (!response.complete) throw new Error("the log stream was cut before its end");
  } finally {
    response.destroy();
  }
}
