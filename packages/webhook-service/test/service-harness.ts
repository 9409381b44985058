// A service under test: its JSON log lines become events a test can wait for (no sleeps), and every
// object pr-pod or the service left in the namespace can be listed.
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { startWebhookService, type WebhookService, type WebhookServiceOptions } from "../src/index.ts";

export const SECRET = "It's a Secret to Everybody";
export const TEST_TOKEN = "ghp_servetestservetestservetest123456";

export interface LogLine {
  msg: string;
  delivery?: string;
  run?: string;
  status?: string;
  outcome?: string;
  [key: string]: unknown;
}

export class LogEvents extends EventEmitter {
  readonly lines: LogLine[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const text of chunk.toString("utf8").split("\n").filter(Boolean)) {
        const line = JSON.parse(text) as LogLine;
        this.lines.push(line);
        this.emit("line", line);
      }
      done();
    },
  });

  /** The first line (seen or future) that matches. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("line", listener);
        reject(
          new Error(`no such log line within ${timeoutMs} ms; last lines: ${JSON.stringify(this.lines.slice(-5))}`),
        );
      }, timeoutMs);
      const listener = (line: LogLine) => {
        if (!match(line)) return;
        clearTimeout(timer);
        this.off("line", listener);
        resolve(line);
      };
      this.on("line", listener);
    });
  }
}

export async function startService(
  options: Partial<WebhookServiceOptions> & { kubeConfig: KubeConfig; namespace: string },
): Promise<{ service: WebhookService; logs: LogEvents }> {
  const logs = new LogEvents();
  const service = await startWebhookService({
    secret: SECRET,
    token: TEST_TOKEN,
    port: 0,
    instanceId: "replica-a",
    logger: pino({ level: "debug" }, logs.stream),
    shutdownGraceMs: 5_000,
    // Generous: a loaded test machine must not turn a slow claim into a 503 (the bench measures time).
    claimTimeoutMs: 10_000,
    ...options,
  });
  return { service, logs };
}

/** pr-pod's run objects (managed-by=pr-pod) still in the namespace, as Kind/name, pods included. */
export async function runObjects(kubeConfig: KubeConfig, namespace: string): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const labelSelector = "app.kubernetes.io/managed-by=pr-pod";
  const [jobs, secrets, pods] = await Promise.all([
    batch.listNamespacedJob({ namespace, labelSelector }),
    core.listNamespacedSecret({ namespace, labelSelector }),
    core.listNamespacedPod({ namespace }),
  ]);
  return [
    ...jobs.items.filter((o) => !o.metadata?.deletionTimestamp).map((o) => `Job/${o.metadata?.name}`),
    ...secrets.items.map((o) => `Secret/${o.metadata?.name}`),
    ...pods.items.filter((o) => !o.metadata?.deletionTimestamp).map((o) => `Pod/${o.metadata?.name}`),
  ];
}
