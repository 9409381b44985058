// The service's Prometheus metrics, on a registry of its own (two services in one process, as in
// tests and the bench, never share counters). https://prometheus.io/docs/practices/naming/
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  deliveries: Counter<"event" | "outcome">;
  runs: Counter<"status">;
  queueDepth: Gauge<"state">;
  runDuration: Histogram<"status">;
  /** From the request's arrival to its answer: what GitHub's 10 s timeout (and our 1 s goal) is about. */
  answerDuration: Histogram;
}

export function createServiceMetrics(options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "pr_pod_serve_" });
  return {
    registry,
    deliveries: new Counter({
      name: "pr_pod_serve_deliveries_total",
      help: "Webhook deliveries by event and outcome (accepted, duplicate, ignored, rejected, queue-full, ...)",
      labelNames: ["event", "outcome"],
      registers: [registry],
    }),
    runs: new Counter({
      name: "pr_pod_serve_runs_total",
      help: "Runs ended, by status (succeeded, failed, aborted, superseded, error)",
      labelNames: ["status"],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "pr_pod_serve_queue_depth",
      help: "Runs waiting (state=queued) and running (state=running) in this replica",
      labelNames: ["state"],
      registers: [registry],
    }),
    runDuration: new Histogram({
      name: "pr_pod_serve_run_duration_seconds",
      help: "Run duration from start to verdict, by status",
      labelNames: ["status"],
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers: [registry],
    }),
    answerDuration: new Histogram({
      name: "pr_pod_serve_delivery_answer_seconds",
      help: "Time from a delivery's arrival to its answer",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
