// The service's Prometheus metrics, on a registry of its own (two services in one process, as in
// tests and the bench, never share counters). https://prometheus.io/docs/practices/naming/
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  deliveries: Counter<"event" | "outcome">;
  runs: Counter<"status">;
  queueDepth: Gauge<"state">;
  runDuration: Histogram<"status">;
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
  };
}
