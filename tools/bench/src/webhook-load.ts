// Load on `pr-pod serve`: two replicas sharing one test cluster take N deliveries in bursts, with
// redeliveries (same X-GitHub-Delivery, to either replica) and bursts of synchronize on the same
// PRs. It reports duplicate runs (a Job name created twice), what is left in the cluster, answer
// times, memory and the queue bound. A benchmark: it prints figures and never fails on time.
//   node tools/bench/webhook-load.mjs --deliveries 1000 --prs 150 --burst 50
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { BatchV1Api, CoreV1Api, Watch } from "@kubernetes/client-node";
import { Webhooks } from "@octokit/webhooks";
import { startTestCluster } from "@pr-pod/test-cluster";
import { startWebhookService, type WebhookService } from "@pr-pod/webhook-service";
import { pino } from "pino";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000" },
    prs: { type: "string", default: "150" },
    burst: { type: "string", default: "50" },
    redeliveries: { type: "string", default: "0.2" },
    "max-running": { type: "string", default: "8" },
    "max-queued": { type: "string", default: "100" },
    "pod-ms": { type: "string", default: "300" },
    "drain-s": { type: "string", default: "120" },
  },
});
const N = Number(values.deliveries);
const PRS = Number(values.prs);
const BURST = Number(values.burst);
const REDELIVERY = Number(values.redeliveries);
const MAX_QUEUED = Number(values["max-queued"]);
const POD_MS = Number(values["pod-ms"]);
const SECRET = "bench-secret";
const NS = "load";

// Distinct in the first 7 characters too (the Job name has the short SHA): push first, then the PR.
const sha = (pr: number, push: number) =>
  `${push.toString(16).padStart(2, "0")}${pr.toString(16).padStart(5, "0")}`.padEnd(40, "a");

function payload(action: string, pr: number, push: number): object {
  const repo = {
    id: 1,
    node_id: "R",
    name: "widgets",
    full_name: "octo/widgets",
    private: false,
    owner: { login: "octo", id: 1 },
    clone_url: "https://github.com/octo/widgets.git",
    html_url: "https://github.com/octo/widgets",
  };
  return {
    action,
    number: pr,
    repository: repo,
    sender: { login: "dev", id: 2 },
    pull_request: {
      number: pr,
      state: action === "closed" ? "closed" : "open",
      draft: false,
      title: `PR ${pr}`,
      html_url: `https://github.com/octo/widgets/pull/${pr}`,
      user: { login: "dev", id: 2 },
      author_association: "MEMBER",
      labels: [],
      head: { sha: sha(pr, push), ref: `feature-${pr}`, repo },
      base: { sha: "b".repeat(40), ref: "main", repo },
    },
  };
}

interface Delivery {
  id: string;
  body: string;
  signature: string;
}

async function main(): Promise<void> {
  const cluster = await startTestCluster({ namespaces: [NS] });
  cluster.runtime.onPod((pod) => {
    pod.start();
    setTimeout(() => {
      try {
        pod.exit(0);
      } catch {
        // superseded: the pod is gone already
      }
    }, POD_MS).unref();
  });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const start = (instanceId: string) =>
    startWebhookService({
      kubeConfig: cluster.kubeConfig,
      secret: SECRET,
      token: "ghp_benchbenchbenchbenchbenchbench1234",
      namespace: NS,
      port: 0,
      instanceId,
      maxRunning: Number(values["max-running"]),
      maxRunningPerRepo: Number(values["max-running"]),
      maxQueued: MAX_QUEUED,
      logger: pino({ level: "warn" }, quiet),
    });
  const replicas: WebhookService[] = [await start("replica-a"), await start("replica-b")];
  const webhooks = new Webhooks({ secret: SECRET });

  // The deliveries: per PR an opened, then synchronize pushes; 20% are redeliveries of earlier ones.
  const pushes = new Map<number, number>();
  const sent: Delivery[] = [];
  const plan: Delivery[] = [];
  while (plan.length < N) {
    if (sent.length > 0 && Math.random() < REDELIVERY) {
      plan.push(sent[Math.floor(Math.random() * sent.length)]!);
      continue;
    }
    // Bursts of synchronize on the same few PRs: most new deliveries hit the 10% hottest PRs.
    const pr =
      1 + (Math.random() < 0.5 ? Math.floor(Math.random() * Math.max(1, PRS / 10)) : Math.floor(Math.random() * PRS));
    const push = pushes.get(pr);
    const next = push === undefined ? 0 : push + 1;
    pushes.set(pr, next);
    const body = JSON.stringify(payload(next === 0 ? "opened" : "synchronize", pr, next));
    const delivery = { id: randomUUID(), body, signature: await webhooks.sign(body) };
    sent.push(delivery);
    plan.push(delivery);
  }

  // Every Job that ever exists, by name: two uids for one name would be the same (PR, SHA) run twice
  // (each PR and SHA has exactly one distinct delivery here; the rest are redeliveries).
  const jobUids = new Map<string, Set<string>>();
  const watch = await new Watch(cluster.kubeConfig).watch(
    `/apis/batch/v1/namespaces/${NS}/jobs`,
    {},
    (type: string, job: { metadata?: { name?: string; uid?: string } }) => {
      if (type !== "ADDED") return;
      const name = job.metadata?.name ?? "";
      jobUids.set(name, (jobUids.get(name) ?? new Set()).add(job.metadata?.uid ?? ""));
    },
    () => undefined,
  );
  const rssBefore = process.memoryUsage().rss;
  const answers: Array<{ ms: number; status: number }> = [];
  let maxQueued = 0;
  const sampler = setInterval(() => {
    for (const replica of replicas) maxQueued = Math.max(maxQueued, replica.handlers.queue.queued);
  }, 20);
  const started = performance.now();
  for (let i = 0; i < plan.length; i += BURST) {
    await Promise.all(
      plan.slice(i, i + BURST).map(async (delivery) => {
        const replica = replicas[Math.floor(Math.random() * replicas.length)]!;
        const t0 = performance.now();
        const response = await fetch(`${replica.url}/webhook`, {
          method: "POST",
          body: delivery.body,
          headers: {
            "content-type": "application/json",
            "x-github-event": "pull_request",
            "x-github-delivery": delivery.id,
            "x-hub-signature-256": delivery.signature,
          },
        });
        await response.arrayBuffer();
        answers.push({ ms: performance.now() - t0, status: response.status });
      }),
    );
  }
  const sendMs = performance.now() - started;

  // Wait until both replicas are idle, at most --drain-s; what is still busy then is reported.
  const drainDeadline = performance.now() + Number(values["drain-s"]) * 1000;
  while (performance.now() < drainDeadline) {
    const busy = replicas.some((r) => r.handlers.queue.queued + r.handlers.queue.running > 0);
    if (!busy) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const stillBusy = replicas.map((r) => ({ queued: r.handlers.queue.queued, running: r.handlers.queue.running }));
  const drainMs = performance.now() - started;
  clearInterval(sampler);
  const rssAfter = process.memoryUsage().rss;

  const creates = cluster.requests.list({ verb: "create", resource: "jobs" }).filter((r) => r.status === 201);
  const jobCreates = creates.length;
  watch.abort();
  const duplicateRuns = [...jobUids.values()].filter((uids) => uids.size > 1).length;
  const jobs = await cluster.kubeConfig
    .makeApiClient(BatchV1Api)
    .listNamespacedJob({ namespace: NS, labelSelector: "app.kubernetes.io/managed-by=pr-pod" });
  const secrets = await cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .listNamespacedSecret({ namespace: NS, labelSelector: "app.kubernetes.io/managed-by=pr-pod" });
  const runs: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  for (const replica of replicas) {
    for (const v of (await replica.metrics.runs.get()).values)
      runs[String(v.labels.status)] = (runs[String(v.labels.status)] ?? 0) + v.value;
    for (const v of (await replica.metrics.deliveries.get()).values)
      outcomes[String(v.labels.outcome)] = (outcomes[String(v.labels.outcome)] ?? 0) + v.value;
  }
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
  const unique = new Set(sent.map((d) => d.id)).size;
  const result = {
    deliveries: plan.length,
    uniqueDeliveries: unique,
    redeliveries: plan.length - unique,
    prs: pushes.size,
    answersByStatus: Object.fromEntries(
      [...new Set(answers.map((a) => a.status))].map((s) => [s, answers.filter((a) => a.status === s).length]),
    ),
    outcomes,
    runs,
    jobCreates,
    distinctJobNames: jobUids.size,
    duplicateRuns,
    // Each (PR, SHA) has exactly one unique delivery here, so a second Job create for the same
    // accepted delivery would be a duplicate: creates can be at most the accepted unique deliveries.
    acceptedOutcomes: outcomes["accepted"] ?? 0,
    stillBusyAfterDrain: stillBusy,
    leftInCluster: { jobs: jobs.items.length, secrets: secrets.items.length },
    answerMs: { p50: pct(50), p99: pct(99), max: sorted.at(-1)!.toFixed(1) },
    maxQueuedSeen: maxQueued,
    maxQueued: MAX_QUEUED,
    rssMiB: { before: (rssBefore / 2 ** 20).toFixed(0), after: (rssAfter / 2 ** 20).toFixed(0) },
    sendSeconds: (sendMs / 1000).toFixed(1),
    drainSeconds: (drainMs / 1000).toFixed(1),
  };
  console.log(JSON.stringify(result, null, 2));
  await Promise.all(replicas.map((r) => r.close(1_000)));
  await cluster.close();
}

await main();
