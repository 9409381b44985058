// The HTTP side of `pr-pod serve`: reads a delivery with a size limit, checks X-Hub-Signature-256
// (constant-time, @octokit/webhooks) before anything else, parses it, and hands it to the event
// table; plus /healthz, /readyz and /metrics. Nothing here knows about Kubernetes.
// https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Webhooks } from "@octokit/webhooks";
import type { Logger } from "pino";
import type { DeliveryAnswer } from "./pull-request-handlers.ts";
import type { ServiceMetrics } from "./service-metrics.ts";

export interface VerifiedDelivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  /** performance.now() when the request arrived: the answer's time budget counts from here. */
  receivedAt: number;
}

export interface WebhookHttpOptions {
  webhooks: Webhooks;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Largest body accepted; larger is 413. Default 5 MiB (a pull_request payload is ~30 KiB). */
  maxBodyBytes?: number;
  /** Where deliveries are posted. Default "/" and "/webhook" (and smee-client's target path). */
  webhookPaths?: string[];
  onDelivery(delivery: VerifiedDelivery): Promise<DeliveryAnswer>;
  /** False while the service cannot work (cluster unreachable, shutting down). */
  isReady(): Promise<boolean>;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export function createWebhookServer(options: WebhookHttpOptions): Server {
  const server = createServer((request, response) => {
    void route(options, request, response).catch((error: unknown) => {
      options.logger.error({ err: (error as Error).message }, "request failed");
      if (!response.headersSent) answer(response, 500, { outcome: "error", message: "internal error" });
      else response.destroy();
    });
  });
  // GitHub waits 10 s; a sender that trickles its body must not hold a socket for longer.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  return server;
}

async function route(options: WebhookHttpOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (request.method === "GET" && url.pathname === "/healthz") return answer(response, 200, { status: "ok" });
  if (request.method === "GET" && url.pathname === "/readyz") {
    const ready = await options.isReady();
    return answer(response, ready ? 200 : 503, { status: ready ? "ready" : "not ready" });
  }
  if (request.method === "GET" && url.pathname === "/metrics") {
    const text = await options.metrics.registry.metrics();
    response.writeHead(200, { "content-type": options.metrics.registry.contentType });
    response.end(text);
    return;
  }
  const paths = options.webhookPaths ?? ["/", "/webhook"];
  if (!paths.includes(url.pathname)) return answer(response, 404, { message: `nothing at ${url.pathname}` });
  if (request.method !== "POST") {
    response.setHeader("allow", "POST");
    return answer(response, 405, { message: "deliveries are POSTed" });
  }
  await receiveDelivery(options, request, response);
}

async function receiveDelivery(
  options: WebhookHttpOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const receivedAt = performance.now();
  const { metrics, logger } = options;
  response.once("finish", () => metrics.answerDuration.observe((performance.now() - receivedAt) / 1000));
  const event = headerOf(request, "x-github-event") ?? "";
  const id = headerOf(request, "x-github-delivery") ?? "";
  const count = (outcome: string) => metrics.deliveries.inc({ event: event || "unknown", outcome });
  const log = logger.child({ delivery: id || undefined, event: event || undefined });

  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const body = await readBody(request, limit);
  if (body === "too-large") {
    count("too-large");
    log.warn({ limit }, "delivery body over the limit");
    response.setHeader("connection", "close");
    return answer(response, 413, { outcome: "too-large", message: `the body is over ${limit} bytes` });
  }
  const signature = headerOf(request, "x-hub-signature-256");
  if (!signature || !(await verifySignature(options.webhooks, body, signature))) {
    count("bad-signature");
    log.warn(signature ? "signature does not match" : "no X-Hub-Signature-256 header");
    return answer(response, 401, {
      outcome: "bad-signature",
      message: signature
        ? "X-Hub-Signature-256 does not match the body: the webhook's secret differs from the service's"
        : "no X-Hub-Signature-256 header: set a secret on the webhook (the same as the service's)",
    });
  }
  if (!event || !id) {
    count("bad-request");
    return answer(response, 400, {
      outcome: "bad-request",
      message: "X-GitHub-Event and X-GitHub-Delivery are required",
    });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    count("malformed");
    log.warn("body is not JSON");
    return answer(response, 400, {
      outcome: "malformed",
      message: "the body is not JSON: set the webhook's content type to application/json",
    });
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    count("malformed");
    return answer(response, 400, { outcome: "malformed", message: "the body is not a JSON object" });
  }
  const result = await options.onDelivery({ id, event, payload: payload as Record<string, unknown>, receivedAt });
  count(result.outcome);
  log.info({ outcome: result.outcome, status: result.status }, result.message);
  if (result.retryAfterSeconds !== undefined) response.setHeader("retry-after", String(result.retryAfterSeconds));
  answer(response, result.status, { outcome: result.outcome, message: result.message });
}

async function verifySignature(webhooks: Webhooks, body: Buffer, signature: string): Promise<boolean> {
  try {
    return await webhooks.verify(body.toString("utf8"), signature);
  } catch {
    return false; // malformed signature header
  }
}

/**
 * The body, or "too-large" as soon as it passes the limit. The rest is drained, not kept, so the
 * socket stays usable for the 413 answer (destroying the request would close it).
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    request.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    request.on("error", reject);
    if (tooLarge) resolve("too-large");
  });
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function answer(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(`${JSON.stringify(body)}\n`);
}
