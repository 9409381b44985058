// Figure 6. Scale: N PR runs started at once against the one test cluster, every pod the standard
// build. pr-pod: N runPrPod calls in one Node process (how a bot or controller would use the library).
// kubectl: N copies of the script at once. For each: how many reached their verdict (and with all
// their log lines), the wall time until the last one exited, the API requests in total and the most
// in flight at once (watches and followed logs count while open), and peak memory.
import { performance } from "node:perf_hooks";
import type { BenchCluster } from "../bench-cluster.ts";
import { failureText, type ProcessRun } from "../harness/child-process.ts";
import { trackInFlightRequests } from "../harness/in-flight-requests.ts";
import { cpuSecondsSoFar } from "../harness/process-stats.ts";
import { sampleTreeMemory } from "../harness/process-tree-memory.ts";
import { formatSpread, type Spread, spread } from "../harness/stats.ts";
import { type ClusterAccess, nextPullRequest, runKubectlScript, runPrPodChild } from "../pull-requests.ts";
import { type FigureReport, type FigureRow, mib } from "../report.ts";

export interface ScaleOptions {
  prPodRuns: number;
  kubectlRuns: number;
  hasKubectl: boolean;
  /** Lines the standard pod prints (to check none were lost). */
  podLines: number;
  /** performance.now() by which both sides must be done (the bench's time budget). */
  deadline: number;
}

interface ScaleResult {
  runs: number;
  succeeded: number;
  /** Runs whose process or run never reported a verdict (though not stopped by the time budget). */
  lost: number;
  /** Runs still going when the time budget stopped them. */
  cut: number;
  /** Runs that got fewer log lines than the pod printed. */
  shortLogs: number;
  wallSeconds: number;
  requestsTotal: number;
  peakInFlight: number;
  /** CPU seconds of the clients (their processes, after exit) and of the bench process (the test cluster). */
  cpu?: { clients: number; cluster: number };
  /** Connections opened (TLS handshakes). */
  connections: number;
  peakRssBytes?: number;
  peakProcesses?: number;
  firstError?: string;
  /** Log lines each run delivered (the pod prints podLines plus the report line). */
  linesPerRun?: Spread;
  /** pr-pod's warning events, by message, with how many runs had each. */
  warnings?: Record<string, number>;
}

function cpuSince(before: { own: number; exitedChildren: number }): { clients: number; cluster: number } {
  const now = cpuSecondsSoFar();
  return { clients: now.exitedChildren - before.exitedChildren, cluster: now.own - before.own };
}

async function measurePrPod(bench: BenchCluster, access: ClusterAccess, options: ScaleOptions): Promise<ScaleResult> {
  const prs = Array.from({ length: options.prPodRuns }, () => nextPullRequest());
  bench.cluster.requests.clear();
  const inFlight = trackInFlightRequests();
  const cpuBefore = cpuSecondsSoFar();
  const started = performance.now();
  // pr-pod goes first and may use 70 % of what is left; the kubectl side gets the rest.
  const timeoutMs = Math.max(30_000, 0.7 * (options.deadline - performance.now()));
  const run = await runPrPodChild(access, prs, { timeoutMs });
  const wallSeconds = (performance.now() - started) / 1000;
  inFlight.stop();
  let succeeded = 0;
  let lost = 0;
  let cut = 0;
  let shortLogs = 0;
  const lineCounts: number[] = [];
  const warnings = new Map<string, number>();
  for (let i = 0; i < prs.length; i++) {
    const done = run.markerData.get(`done:${i}`) ?? (prs.length === 1 ? run.markerData.get("done") : undefined);
    if (done === undefined) {
      if (run.timedOut) cut += 1;
      else lost += 1;
      continue;
    }
    const data = JSON.parse(done) as { status: string; lines: number; warnings?: string[] };
    for (const warning of data.warnings ?? []) {
      // One entry per kind of warning: the run's own names are replaced.
      const kind = warning.replace(/pr-pod-[a-z0-9-]+-\d+-[0-9a-f]{7}/g, "<run>");
      warnings.set(kind, (warnings.get(kind) ?? 0) + 1);
    }
    if (data.status === "succeeded") succeeded += 1;
    lineCounts.push(data.lines);
    if (data.lines < options.podLines) shortLogs += 1;
  }
  const memory = run.markerData.get("memory");
  const result: ScaleResult = {
    runs: prs.length,
    succeeded,
    lost,
    cut,
    shortLogs,
    wallSeconds,
    requestsTotal: bench.cluster.requests.count(),
    peakInFlight: inFlight.peak,
    connections: inFlight.connections,
    peakProcesses: 1,
    cpu: cpuSince(cpuBefore),
    linesPerRun: spread(lineCounts),
    warnings: Object.fromEntries(warnings),
  };
  if (memory) result.peakRssBytes = (JSON.parse(memory) as { maxRssBytes: number }).maxRssBytes;
  if (run.exitCode !== 0) result.firstError = failureText(run, "pr-pod runs");
  return result;
}

async function measureKubectl(bench: BenchCluster, access: ClusterAccess, options: ScaleOptions): Promise<ScaleResult> {
  const prs = Array.from({ length: options.kubectlRuns }, () => nextPullRequest());
  bench.cluster.requests.clear();
  const inFlight = trackInFlightRequests();
  const roots = new Set<number>();
  const memory = sampleTreeMemory(roots, 200);
  const cpuBefore = cpuSecondsSoFar();
  const started = performance.now();
  const lineCounts = prs.map(() => 0);
  const timeoutMs = Math.max(30_000, options.deadline - performance.now());
  // What the script's stdout shows of the pod's log: the step lines only (the report line is not counted).
  const runs: ProcessRun[] = await Promise.all(
    prs.map((pr, index) =>
      runKubectlScript(access, pr, {
        timeoutMs,
        onSpawn: (pid) => roots.add(pid),
        onLine: ({ text }) => {
          if (text.startsWith("[pr-pod] step ")) lineCounts[index] = (lineCounts[index] ?? 0) + 1;
        },
      }),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const { peakBytes, peakProcesses } = memory.stop();
  inFlight.stop();
  const succeeded = runs.filter((r) => r.exitCode === 0 && r.markers.has("finished")).length;
  const lost = runs.filter((r) => !r.markers.has("finished") && !r.timedOut).length;
  const cut = runs.filter((r) => !r.markers.has("finished") && r.timedOut).length;
  const failed = runs.find((r) => r.exitCode !== 0);
  const result: ScaleResult = {
    runs: prs.length,
    succeeded,
    lost,
    cut,
    shortLogs: runs.filter((r, i) => r.markers.has("finished") && (lineCounts[i] ?? 0) < options.podLines).length,
    wallSeconds,
    requestsTotal: bench.cluster.requests.count(),
    peakInFlight: inFlight.peak,
    connections: inFlight.connections,
    peakRssBytes: peakBytes,
    peakProcesses,
    cpu: cpuSince(cpuBefore),
    linesPerRun: spread(lineCounts.filter((_, i) => runs[i]?.markers.has("finished"))),
  };
  if (failed) result.firstError = failureText(failed, "a kubectl script");
  return result;
}

export async function measureScale(
  bench: BenchCluster,
  access: ClusterAccess,
  options: ScaleOptions,
  log: (text: string) => void,
): Promise<FigureReport> {
  const describe = (name: string, r: ScaleResult) =>
    log(
      `  ${name}: ${r.succeeded}/${r.runs} succeeded, ${r.runs - r.succeeded - r.cut} failed (${r.lost} without a verdict), ${r.cut} cut, ${r.wallSeconds.toFixed(1)} s, ${r.requestsTotal} requests, peak ${r.peakInFlight} in flight${r.firstError ? ` (${r.firstError})` : ""}`,
    );
  const prPod = await measurePrPod(bench, access, options);
  describe("pr-pod", prPod);
  const kubectl = options.hasKubectl ? await measureKubectl(bench, access, options) : undefined;
  if (kubectl) describe("kubectl", kubectl);

  const noKubectl = "n/a (no kubectl)";
  const both = (f: (r: ScaleResult) => string) => ({ prPod: f(prPod), kubectl: kubectl ? f(kubectl) : noKubectl });
  const ratio = (f: (r: ScaleResult) => number) => {
    if (!kubectl) return "";
    const [a, b] = [f(prPod) / prPod.runs, f(kubectl) / kubectl.runs];
    return b > 0 ? (a / b).toFixed(2) : "";
  };
  const rows: FigureRow[] = [
    {
      metric: "runs started at once → succeeded; failed (no verdict); cut by the time budget; logs short",
      ...both(
        (r) => `${r.runs} → ${r.succeeded}; ${r.runs - r.succeeded - r.cut} (${r.lost}); ${r.cut}; ${r.shortLogs}`,
      ),
      compare: "all must finish",
    },
    {
      metric: "wall time, start → last run exited",
      ...both((r) => `${r.wallSeconds.toFixed(1)} s`),
      compare: ratio((r) => r.wallSeconds * r.runs),
    },
    {
      metric: "API requests, total (per run)",
      ...both((r) => `${r.requestsTotal} (${(r.requestsTotal / r.runs).toFixed(1)})`),
      compare: ratio((r) => r.requestsTotal),
    },
    { metric: "API requests in flight at once, peak", ...both((r) => String(r.peakInFlight)) },
    {
      metric: "connections opened (TLS handshakes), total (per run)",
      ...both((r) => `${r.connections} (${(r.connections / r.runs).toFixed(1)})`),
    },
    {
      metric: "CPU time: the clients' processes | the test cluster",
      ...both((r) => (r.cpu ? `${r.cpu.clients.toFixed(1)} s | ${r.cpu.cluster.toFixed(1)} s` : "n/a")),
    },
    {
      metric: "peak RSS (processes)",
      ...both((r) => (r.peakRssBytes ? `${mib(r.peakRssBytes)} (${r.peakProcesses ?? "?"})` : "n/a")),
    },
  ];
  const notes = [
    `${prPod.runs} runPrPod calls in one Node process against ${kubectl?.runs ?? 0} kubectl scripts started at once, every pod the standard scripted build, on one test cluster in the bench process (which shares the 2 cores). Peak RSS of the scripts is the sum over bash and its kubectl processes, sampled every 200 ms; pr-pod's is its process's own peak. The ratio columns are per run.`,
  ];
  if (prPod.firstError) notes.push(`pr-pod: ${prPod.firstError}`);
  for (const [message, count] of Object.entries(prPod.warnings ?? {}))
    notes.push(`pr-pod warned in ${count} runs: "${message}"`);
  if (prPod.shortLogs > 0 && prPod.linesPerRun) {
    notes.push(
      `pr-pod: ${prPod.shortLogs} runs gave fewer than the pod's ${options.podLines} lines (lines per run ${formatSpread(prPod.linesPerRun, "")}).`,
    );
  }
  if (kubectl?.firstError) notes.push(`kubectl: ${kubectl.firstError}`);
  return { id: 6, title: "Scale: runs at once", rows, notes, data: { options, prPod, kubectl } };
}
