// A GitHub webhook delivery: its headers and body. With a secret, the body's HMAC
// (X-Hub-Signature-256) is checked first, over the raw body exactly as received.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
import { verify } from "@octokit/webhooks-methods";
import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { type ClosedPullRequestOptions, contextFromPullRequestObject } from "./pull-request-payload.ts";

export type DeliveryHeaders = Record<string, string | readonly string[] | undefined>;

export interface WebhookDelivery {
  /** The delivery's HTTP headers (any case): x-github-event must be pull_request. */
  headers?: DeliveryHeaders;
  /** The raw body as received (required to check a signature), or the parsed payload. */
  payload: string | object;
}

export interface WebhookOptions extends ClosedPullRequestOptions {
  /** The webhook's secret: when given, X-Hub-Signature-256 must match the raw body. */
  secret?: string;
}

function header(headers: DeliveryHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : (value as string | undefined);
  }
  return undefined;
}

export async function pullRequestContextFromWebhook(
  delivery: WebhookDelivery,
  options: WebhookOptions = {},
): Promise<PullRequestContext> {
  const headers = delivery.headers ?? {};
  const event = header(headers, "x-github-event");
  if (delivery.headers && event !== "pull_request") {
    throw new PrContextError(
      "NOT_A_PULL_REQUEST_EVENT",
      `webhook delivery is a ${JSON.stringify(event ?? "(no X-GitHub-Event header)")} event, not pull_request: subscribe the webhook to "Pull requests" and pass only those deliveries`,
    );
  }
  if (options.secret !== undefined) {
    if (!options.secret) {
      throw new PrContextError(
        "INVALID_SIGNATURE",
        "the webhook secret is empty: pass the secret set on the webhook in GitHub, or none to skip the check",
      );
    }
    if (typeof delivery.payload !== "string") {
      throw new PrContextError(
        "INVALID_SIGNATURE",
        "cannot check the webhook signature of an already parsed payload: pass the raw request body as a string",
      );
    }
    const signature = header(headers, "x-hub-signature-256");
    if (!signature) {
      throw new PrContextError(
        "INVALID_SIGNATURE",
        "webhook delivery has no X-Hub-Signature-256 header but a secret was given: set the same secret on the webhook in GitHub",
      );
    }
    if (!(await verify(options.secret, delivery.payload, signature))) {
      const id = header(headers, "x-github-delivery");
      throw new PrContextError(
        "INVALID_SIGNATURE",
        `webhook delivery${id ? ` ${id}` : ""} has a signature that does not match its body: check the webhook secret, and pass the body exactly as received`,
      );
    }
  }
  let payload: unknown = delivery.payload;
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      throw new PrContextError(
        "INVALID_PAYLOAD",
        "webhook body is not JSON: set the webhook's content type to application/json",
      );
    }
  }
  const body = payload as { action?: unknown; pull_request?: unknown } | null;
  if (typeof body !== "object" || body === null || body.pull_request === undefined) {
    throw new PrContextError(
      "NOT_A_PULL_REQUEST_EVENT",
      "webhook payload has no pull_request field: pass the body of a pull_request event delivery",
    );
  }
  return contextFromPullRequestObject(body.pull_request, "webhook", {
    ...options,
    action: typeof body.action === "string" ? body.action : undefined,
    where: "the webhook's pull_request",
  });
}
