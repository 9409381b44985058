// Load on `pr-pod serve`: two replicas sharing one test cluster take N deliveries in bursts, with
// redeliveries (same X-GitHub-Delivery, to either replica) and bursts of synchronize on the same
// PRs. It reports duplicate runs (a Job name created twice), what is left in the cluster, answer
// times, each replica's memory over time and the queue bound. A benchmark: it prints figures and
// never fails on time.
//   node tools/bench/webhook-load.mjs --deliveries 1000 --prs 150 --burst 50 [--cpu-prof]
//
// Three kinds of process, so each figure is the service's own: this one (the sender, the Job watch
// and the report), one for the test cluster (its objects, request log and watch history), and one
// per replica (`startWebhookService` as `pr-pod serve` runs it). They talk over fork()'s IPC channel.
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BatchV1Api, CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import { Webhooks } from "@octokit/webhooks";
import { startTestCluster } from "@pr-pod/test-cluster";
import { startWebhookService } from "@pr-pod/webhook-service";
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
    "idle-s": { type: "string", default: "10" },
    rounds: { type: "string", default: "1" },
    "cpu-prof": { type: "boolean", default: false },
    "cpu-prof-dir": { type: "string", default: "bench-results/webhook-prof" },
    role: { type: "string", default: "sender" },
    kubeconfig: { type: "string", default: "" },
    instance: { type: "string", default: "" },
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
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

// --- IPC: one request, one answer with the same id ---------------------------------------------------

interface Message {
  id?: number;
  type: string;
  [key: string]: unknown;
}
let nextId = 0;
function ask<T extends Message>(child: ChildProcess, type: string): Promise<T> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const onMessage = (message: Message) => {
      if (message.id !== id) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`${type}: the child exited (${code}) before answering`));
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.send({ id, type });
  });
}
function answerRequests(handlers: Record<string, () => Promise<Record<string, unknown>> | Record<string, unknown>>) {
  process.on("message", (message: Message) => {
    const handler = handlers[message.type];
    if (!handler) return;
    void Promise.resolve(handler()).then((body) => process.send?.({ ...body, id: message.id, type: message.type }));
  });
}
function spawnRole(
  role: string,
  extra: string[],
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; ready: Message }> {
  const child = fork(fileURLToPath(import.meta.url), ["--role", role, ...extra], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (ready: Message) => resolve({ child, ready }));
    child.once("exit", (code) => reject(new Error(`the ${role} process exited (${code}) before it was ready`)));
  });
}

// --- the test cluster's process ------------------------------------------------------------------------

async function clusterProcess(): Promise<void> {
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
  answerRequests({
    stats: () => {
      const requests: Record<string, number> = {};
      for (const r of cluster.requests.list({})) {
        const key = `${r.verb} ${r.resource}`;
        requests[key] = (requests[key] ?? 0) + 1;
      }
      return {
        jobCreates: cluster.requests.list({ verb: "create", resource: "jobs" }).filter((r) => r.status === 201).length,
        requests,
        rssMiB: mib(process.memoryUsage().rss),
      };
    },
    close: async () => {
      await cluster.close();
      setImmediate(() => process.exit(0));
      return {};
    },
  });
  process.send?.({ type: "ready", kubeconfigPath: cluster.kubeconfigPath });
}

// --- a replica's process -------------------------------------------------------------------------------

async function replicaProcess(): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(values.kubeconfig);
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const service = await startWebhookService({
    kubeConfig,
    secret: SECRET,
    token: "ghp_benchbenchbenchbenchbenchbench1234",
    namespace: NS,
    port: 0,
    instanceId: values.instance,
    maxRunning: Number(values["max-running"]),
    maxRunningPerRepo: Number(values["max-running"]),
    maxQueued: MAX_QUEUED,
    logger: pino({ level: "warn" }, quiet),
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const startRss = process.memoryUsage().rss;
  const startHeap = process.memoryUsage().heapUsed;
  let peakRss = startRss;
  let maxQueuedSeen = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    maxQueuedSeen = Math.max(maxQueuedSeen, service.handlers.queue.queued);
  }, 50);
  answerRequests({
    state: () => ({
      queued: service.handlers.queue.queued,
      running: service.handlers.queue.running,
      maxQueuedSeen,
      rssMiB: { start: mib(startRss), peak: mib(peakRss), now: mib(process.memoryUsage().rss) },
      heapUsedMiB: { start: mib(startHeap), now: mib(process.memoryUsage().heapUsed) },
      eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    }),
    // After the idle wait: a full collection first, so "end" is what the service keeps, not garbage.
    settle: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return { rssMiB: mib(process.memoryUsage().rss), heapUsedMiB: mib(process.memoryUsage().heapUsed) };
    },
    metrics: async () => {
      const runs: Record<string, number> = {};
      const outcomes: Record<string, number> = {};
      for (const v of (await service.metrics.runs.get()).values) runs[String(v.labels.status)] = v.value;
      // The service's own view: arrival to answer, as cumulative buckets (le=0.5 -> count).
      const answered: Record<string, number> = {};
      for (const v of (await service.metrics.answerDuration.get()).values)
        if (v.metricName?.endsWith("_bucket")) answered[String(v.labels.le)] = v.value;
      for (const v of (await service.metrics.deliveries.get()).values) {
        const key = String(v.labels.outcome);
        outcomes[key] = (outcomes[key] ?? 0) + v.value;
      }
      return { runs, outcomes, answered };
    },
    close: async () => {
      clearInterval(sampler);
      await service.close(1_000);
      setImmediate(() => process.exit(0));
      return {};
    },
  });
  process.send?.({ type: "ready", url: service.url });
}

// --- the sender (this process) -------------------------------------------------------------------------

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

interface ReplicaState extends Message {
  queued: number;
  running: number;
  maxQueuedSeen: number;
  rssMiB: { start: number; peak: number; now: number };
  heapUsedMiB: { start: number; now: number };
  eventLoopDelayMs: { p99: number; max: number };
}

async function senderProcess(): Promise<void> {
  const profile = values["cpu-prof"];
  if (profile) mkdirSync(values["cpu-prof-dir"], { recursive: true });
  const profileArgv = profile ? ["--cpu-prof", `--cpu-prof-dir=${values["cpu-prof-dir"]}`] : [];
  const cluster = await spawnRole("cluster", ["--pod-ms", String(POD_MS)], profileArgv);
  const kubeconfigPath = String(cluster.ready["kubeconfigPath"]);
  const replicaArgs = (instance: string) => [
    "--kubeconfig",
    kubeconfigPath,
    "--instance",
    instance,
    "--max-running",
    values["max-running"],
    "--max-queued",
    values["max-queued"],
  ];
  const execArgv = ["--expose-gc", ...profileArgv];
  const replicas = await Promise.all(
    ["replica-a", "replica-b"].map((name) => spawnRole("replica", replicaArgs(name), execArgv)),
  );
  const urls = replicas.map((r) => String(r.ready["url"]));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const webhooks = new Webhooks({ secret: SECRET });

  // The deliveries: per PR an opened, then synchronize pushes; 20% are redeliveries of earlier ones.
  const pushes = new Map<number, number>();
  const sent: Delivery[] = [];
  const makePlan = async (): Promise<Delivery[]> => {
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
    return plan;
  };

  // Every Job that ever exists, by name: two uids for one name would be the same (PR, SHA) run twice
  // (each PR and SHA has exactly one distinct delivery here; the rest are redeliveries).
  const jobUids = new Map<string, Set<string>>();
  const watch = await new Watch(kubeConfig).watch(
    `/apis/batch/v1/namespaces/${NS}/jobs`,
    {},
    (type: string, job: { metadata?: { name?: string; uid?: string } }) => {
      if (type !== "ADDED") return;
      const name = job.metadata?.name ?? "";
      jobUids.set(name, (jobUids.get(name) ?? new Set()).add(job.metadata?.uid ?? ""));
    },
    () => undefined,
  );
  const states = () => Promise.all(replicas.map((r) => ask<ReplicaState>(r.child, "state")));
  const answers: Array<{ ms: number; status: number }> = [];
  // One round: the plan sent in bursts, the replicas drained, then idle and a GC. --rounds N repeats
  // it with new deliveries: memory is flat when what is left after idle does not grow round by round.
  const runRound = async (plan: Delivery[]) => {
    const started = performance.now();
    for (let i = 0; i < plan.length; i += BURST) {
      await Promise.all(
        plan.slice(i, i + BURST).map(async (delivery) => {
          const url = urls[Math.floor(Math.random() * urls.length)]!;
          const t0 = performance.now();
          const response = await fetch(`${url}/webhook`, {
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
    let last = await states();
    while (performance.now() < drainDeadline && last.some((s) => s.queued + s.running > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      last = await states();
    }
    const drainMs = performance.now() - started;
    const afterDrain = await states();
    // Memory flat means: what grew under load is given back once the service idles.
    await new Promise((resolve) => setTimeout(resolve, Number(values["idle-s"]) * 1000));
    const settled = await Promise.all(replicas.map((r) => ask<Message>(r.child, "settle")));
    return { sendMs, drainMs, afterDrain, settled };
  };
  const rounds = [];
  let total = 0;
  for (let round = 0; round < Number(values.rounds); round++) {
    const plan = await makePlan();
    total += plan.length;
    rounds.push(await runRound(plan));
  }
  const { sendMs, drainMs, afterDrain, settled } = rounds[0]!;

  watch.abort();
  const duplicateRuns = [...jobUids.values()].filter((uids) => uids.size > 1).length;
  const jobs = await kubeConfig
    .makeApiClient(BatchV1Api)
    .listNamespacedJob({ namespace: NS, labelSelector: "app.kubernetes.io/managed-by=pr-pod" });
  const secrets = await kubeConfig
    .makeApiClient(CoreV1Api)
    .listNamespacedSecret({ namespace: NS, labelSelector: "app.kubernetes.io/managed-by=pr-pod" });
  const clusterStats = await ask<Message>(cluster.child, "stats");
  const runs: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const answeredWithin: Record<string, number> = {};
  for (const replica of replicas) {
    const m = await ask<
      Message & { runs: Record<string, number>; outcomes: Record<string, number>; answered: Record<string, number> }
    >(replica.child, "metrics");
    for (const [k, v] of Object.entries(m.answered)) answeredWithin[`${k}s`] = (answeredWithin[`${k}s`] ?? 0) + v;
    for (const [k, v] of Object.entries(m.runs)) runs[k] = (runs[k] ?? 0) + v;
    for (const [k, v] of Object.entries(m.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  }
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
  const unique = new Set(sent.map((d) => d.id)).size;
  const result = {
    rounds: rounds.length,
    deliveries: total,
    uniqueDeliveries: unique,
    redeliveries: total - unique,
    prs: pushes.size,
    answersByStatus: Object.fromEntries(
      [...new Set(answers.map((a) => a.status))].map((s) => [s, answers.filter((a) => a.status === s).length]),
    ),
    outcomes,
    runs,
    jobCreates: clusterStats["jobCreates"],
    distinctJobNames: jobUids.size,
    duplicateRuns,
    stillBusyAfterDrain: afterDrain.map((s) => ({ queued: s.queued, running: s.running })),
    leftInCluster: { jobs: jobs.items.length, secrets: secrets.items.length },
    answerMs: { p50: pct(50), p99: pct(99), max: sorted.at(-1)!.toFixed(1) },
    // The same answers as the replicas saw them (arrival to answer, cumulative), and how long their
    // event loops were held up: the difference to answerMs is time spent waiting for a CPU.
    serviceAnsweredWithin: answeredWithin,
    replicaEventLoopDelayMs: afterDrain.map((s) => ({
      p99: Math.round(s.eventLoopDelayMs.p99),
      max: Math.round(s.eventLoopDelayMs.max),
    })),
    maxQueuedSeen: Math.max(...afterDrain.map((s) => s.maxQueuedSeen)),
    maxQueued: MAX_QUEUED,
    // Per replica process: at start (listening, before load), highest seen, after the drain, and after
    // --idle-s more seconds and a full GC.
    replicaRssMiB: afterDrain.map((s, i) => ({
      start: s.rssMiB.start,
      peak: s.rssMiB.peak,
      afterDrain: s.rssMiB.now,
      afterIdle: settled[i]!["rssMiB"],
      heapUsedAtStart: s.heapUsedMiB.start,
      heapUsedAfterIdle: settled[i]!["heapUsedMiB"],
    })),
    // Per round (all rounds, the first one included): each replica's heap and RSS after idle and GC.
    memoryAfterEachRoundMiB: rounds.map((r) =>
      r.settled.map((m) => ({ heapUsed: m["heapUsedMiB"], rss: m["rssMiB"] })),
    ),
    clusterProcessRssMiB: clusterStats["rssMiB"],
    // What the replicas (and the runs) asked of the API server, by verb and resource.
    apiRequests: clusterStats["requests"],
    sendSeconds: (sendMs / 1000).toFixed(1),
    drainSeconds: (drainMs / 1000).toFixed(1),
    ...(profile ? { cpuProfiles: values["cpu-prof-dir"] } : {}),
  };
  console.log(JSON.stringify(result, null, 2));
  await Promise.all(replicas.map((r) => ask(r.child, "close")));
  await ask(cluster.child, "close");
}

const roles: Record<string, () => Promise<void>> = {
  sender: senderProcess,
  cluster: clusterProcess,
  replica: replicaProcess,
};
const role = roles[values.role];
if (!role) throw new Error(`--role ${values.role}: one of ${Object.keys(roles).join(", ")}`);
await role();
