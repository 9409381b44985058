// `pr-pod serve` as a library: the HTTP layer, the event table and the handlers put together, with
// resume on start, a periodic sweep of old delivery claims, and graceful shutdown. The event table
// is probot's `on(event, handler)` in small: each event name maps to one handler over a verified
// delivery; events without one are answered 202 and logged.

import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Webhooks } from "@octokit/webhooks";
import type { PullRequestEvent } from "@octokit/webhooks-types";
import { keepAliveKubeConfig } from "@pr-pod/log-streamer";
import { DEFAULT_NAMESPACE } from "@pr-pod/runner";
import { type Logger, pino } from "pino";
import { DEFAULT_CLAIM_RETENTION_MS } from "./delivery-ledger.ts";
import {
  type CollaboratorCheck,
  type DeliveryAnswer,
  type FeedbackFactory,
  PullRequestHandlers,
  type PullRequestHandlersOptions,
} from "./pull-request-handlers.ts";
import type { PullRequestPolicy } from "./pull-request-policy.ts";
import { createServiceMetrics, type ServiceMetrics } from "./service-metrics.ts";
import { createWebhookServer, type VerifiedDelivery } from "./webhook-http.ts";

export interface WebhookServiceOptions {
  kubeConfig: KubeConfig;
  /** The webhook's secret (X-Hub-Signature-256). Required: unsigned deliveries are never accepted. */
  secret: string;
  /** Namespace of the runs and the delivery claims. Default "default". */
  namespace?: string;
  /** This replica's stable name; default PR_POD_INSTANCE, else the host name (a StatefulSet pod's name). */
  instanceId?: string;
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 in a container. */
  host?: string;
  policy?: PullRequestPolicy;
  /** GitHub token for the pods (not forks' unless allowForkToken). */
  token?: string;
  allowForkToken?: boolean;
  run?: PullRequestHandlersOptions["run"];
  /** Deploy previews declared by the repositories' config files (see PullRequestHandlersOptions). */
  previews?: PullRequestHandlersOptions["previews"];
  feedback?: FeedbackFactory;
  isCollaborator?: CollaboratorCheck;
  /** Only deliveries of these GitHub App installations (others: 202, ignored). Default any. */
  installationIds?: number[];
  maxRunning?: number;
  maxRunningPerRepo?: number;
  maxQueued?: number;
  maxBodyBytes?: number;
  claimTimeoutMs?: number;
  retryAfterSeconds?: number;
  /** How long a close waits to see the PR's previews gone (default 120 s), then warns and goes on. */
  previewDeleteWaitMs?: number;
  /** How long SIGTERM lets running runs go on before they are aborted and cleaned up. Default 60 s. */
  shutdownGraceMs?: number;
  /**
   * This replica's lease: renewed every third of it; a replica that does not renew for this long is
   * gone for good and another takes its unfinished deliveries over. Default 30 s.
   */
  leaseDurationMs?: number;
  /** JSON logs; default pino to stdout at info. */
  logger?: Logger;
  metrics?: ServiceMetrics;
}

export interface WebhookService {
  /** http://host:port */
  url: string;
  port: number;
  metrics: ServiceMetrics;
  handlers: PullRequestHandlers;
  /** Deliveries this replica resumed from the cluster when it started. */
  resumed: number;
  /** Stop accepting, let runs finish within the grace, abort and clean up the rest. */
  close(graceMs?: number): Promise<void>;
}

export type EventHandler = (delivery: VerifiedDelivery) => Promise<DeliveryAnswer>;

export async function startWebhookService(options: WebhookServiceOptions): Promise<WebhookService> {
  if (!options.secret) {
    throw new WebhookServiceError(
      "NO_WEBHOOK_SECRET",
      "no webhook secret: set PR_POD_WEBHOOK_SECRET (or --webhook-secret-file) to the secret of the GitHub webhook; unsigned deliveries are never accepted",
    );
  }
  if (options.leaseDurationMs !== undefined && !(options.leaseDurationMs >= 1000)) {
    throw new WebhookServiceError(
      "INVALID_OPTIONS",
      `the lease of ${options.leaseDurationMs} ms is too short: other replicas would take this one's work while it runs; use at least 1 s (--lease 1), 30 s by default`,
    );
  }
  const logger = options.logger ?? pino({ base: { service: "pr-pod-serve" } });
  const metrics = options.metrics ?? createServiceMetrics();
  const kubeConfig = keepAliveKubeConfig(options.kubeConfig);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const instanceId = options.instanceId ?? process.env["PR_POD_INSTANCE"] ?? hostname();
  const handlers = new PullRequestHandlers({
    ...options,
    kubeConfig,
    namespace,
    instanceId,
    logger: logger.child({ instance: instanceId }),
    metrics,
  });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const clusterReachable = async (): Promise<boolean> => {
    try {
      // A namespaced read the service's Role already grants (no cluster-wide "get namespaces").
      await core.listNamespacedConfigMap({ namespace, limit: 1 });
      return true;
    } catch {
      return false;
    }
  };
  if (!(await clusterReachable())) {
    throw new WebhookServiceError(
      "CLUSTER_UNREACHABLE",
      `cannot list ConfigMaps in namespace ${namespace} on ${kubeConfig.getCurrentCluster()?.server ?? "the cluster"}: check the kubeconfig (or the service account inside the cluster) and that the namespace exists`,
    );
  }
  let closing = false;
  const table: Record<string, EventHandler> = {
    ping: async () => ({ status: 200, outcome: "pong", message: "pong" }),
    pull_request: (delivery) =>
      handlers.onPullRequest(delivery.id, delivery.payload as unknown as PullRequestEvent, delivery.receivedAt),
  };
  const onDelivery = async (delivery: VerifiedDelivery): Promise<DeliveryAnswer> => {
    if (closing) {
      return { status: 503, outcome: "shutting-down", message: "this replica is shutting down", retryAfterSeconds: 5 };
    }
    const installation = (delivery.payload["installation"] as { id?: unknown } | undefined)?.id;
    if (options.installationIds && !options.installationIds.includes(Number(installation))) {
      return {
        status: 202,
        outcome: "unknown-installation",
        message: `installation ${installation === undefined ? "(none)" : String(installation)} is not served here: add it to installationIds (--installation-id)`,
      };
    }
    const handler = table[delivery.event];
    if (!handler) return { status: 202, outcome: "ignored", message: `${delivery.event} events start nothing` };
    return handler(delivery);
  };

  const server = createWebhookServer({
    webhooks: new Webhooks({ secret: options.secret }),
    metrics,
    logger,
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    onDelivery,
    isReady: async () => !closing && (await clusterReachable()),
  });
  // Runs learn of newer pushes and closes from this watch (a failed first list leaves it retrying); the
  // replica's lease is independent of it, so both start at once.
  await Promise.all([handlers.claims.start(), handlers.lease.start()]);
  const resumed = await handlers.resume().catch((error: unknown) => {
    logger.warn({ err: (error as Error).message }, "could not list unfinished deliveries; none resumed");
    return 0;
  });
  const sweep = () =>
    handlers.ledger
      .sweep(DEFAULT_CLAIM_RETENTION_MS)
      .then(
        (removed) => removed > 0 && logger.info({ removed }, "removed delivery claims past GitHub's redelivery window"),
      )
      .catch((error: unknown) => logger.warn({ err: (error as Error).message }, "claim sweep failed"));
  void sweep();
  const sweeper = setInterval(sweep, 3600_000);
  sweeper.unref();
  // Replicas gone for good: observed every half lease; their work is taken over once their lease
  // has gone unrenewed for its whole duration.
  let takingOver: Promise<unknown> | undefined;
  const takeOver = () => {
    takingOver ??= handlers
      .takeOverGoneReplicas()
      .catch((error: unknown) =>
        logger.warn({ err: (error as Error).message }, "could not check other replicas' leases"),
      )
      .finally(() => {
        takingOver = undefined;
      });
  };
  takeOver();
  const taker = setInterval(takeOver, Math.max(100, Math.floor(handlers.lease.durationMs / 2)));
  taker.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  logger.info({ port, host, namespace, resumed }, "pr-pod serve is listening");

  let closed: Promise<void> | undefined;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    port,
    metrics,
    handlers,
    resumed,
    close(graceMs = options.shutdownGraceMs ?? 60_000) {
      closed ??= (async () => {
        closing = true;
        clearInterval(sweeper);
        clearInterval(taker);
        await takingOver;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await handlers.shutdown(graceMs);
        await handlers.claims.stop();
        await handlers.lease.stop();
        server.closeAllConnections();
        await stopped;
        logger.info("pr-pod serve stopped");
      })();
      return closed;
    },
  };
}

export type WebhookServiceErrorCode = "NO_WEBHOOK_SECRET" | "CLUSTER_UNREACHABLE" | "INVALID_OPTIONS";

export class WebhookServiceError extends Error {
  readonly code: WebhookServiceErrorCode;
  constructor(code: WebhookServiceErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WebhookServiceError";
    this.code = code;
  }
}
