// Figure 3. Log latency: the pod prints N numbered lines at a steady rate; each line's latency is from
// the moment the test cluster appended it to the moment the follower's stdout delivered it to the
// bench (same process, same clock). followJobLogs runs in its own process printing lines to stdout, as
// the CLI does; `kubectl logs -f job/NAME` the same way.
import { performance } from "node:perf_hooks";
import { type BenchCluster, startWhenScheduled } from "../bench-cluster.ts";
import { failureText } from "../harness/child-process.ts";
import { formatSpread, percentiles, spread } from "../harness/stats.ts";
import { createBareJob, deleteJob, type Follower, followerConnected, logJobName, startFollower } from "../log-jobs.ts";
import type { ClusterAccess } from "../pull-requests.ts";
import type { FigureReport, FigureRow } from "../report.ts";

export interface LogLatencyOptions {
  lines: number;
  ratePerSecond: number;
  rounds: number;
  hasKubectl: boolean;
}

interface LatencyResult {
  ok: boolean;
  error?: string;
  received: number;
  duplicates: number;
  outOfOrder: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max?: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const pad = "x".repeat(64);

async function measureOne(
  bench: BenchCluster,
  access: ClusterAccess,
  follower: Follower,
  options: LogLatencyOptions,
): Promise<LatencyResult> {
  const jobName = logJobName("latency");
  const writtenAt = new Float64Array(options.lines).fill(Number.NaN);
  const arrivedAt = new Float64Array(options.lines).fill(Number.NaN);
  let duplicates = 0;
  let outOfOrder = 0;
  let lastSeq = -1;
  let podError: unknown;
  bench.scriptFor(jobName, async (pod) => {
    try {
      await startWhenScheduled(pod);
      await followerConnected(bench, pod);
      const start = performance.now();
      let seq = 0;
      while (seq < options.lines) {
        const due = Math.min(
          options.lines,
          Math.floor(((performance.now() - start) * options.ratePerSecond) / 1000) + 1,
        );
        while (seq < due) {
          writtenAt[seq] = performance.now();
          pod.log(`L${seq} ${pad}`);
          seq += 1;
        }
        await delay(1);
      }
      await delay(100);
      pod.exit(0);
    } catch (error) {
      podError = error;
      pod.exit(1);
    }
  });
  await createBareJob(bench, access.namespace, jobName);
  const run = await startFollower(follower, access, jobName, "stdout", {
    onLine: ({ text, at }) => {
      const match = /^L(\d+) /.exec(text);
      if (!match) return;
      const seq = Number(match[1]);
      if (!Number.isNaN(arrivedAt[seq] as number)) {
        duplicates += 1;
        return;
      }
      if (seq < lastSeq) outOfOrder += 1;
      lastSeq = seq;
      arrivedAt[seq] = at;
    },
  });
  await deleteJob(bench, access.namespace, jobName);
  const latencies: number[] = [];
  for (let i = 0; i < options.lines; i++) {
    const w = writtenAt[i] as number;
    const a = arrivedAt[i] as number;
    if (!Number.isNaN(w) && !Number.isNaN(a)) latencies.push(a - w);
  }
  const result: LatencyResult = {
    ok: run.exitCode === 0 && !podError,
    received: latencies.length,
    duplicates,
    outOfOrder,
  };
  if (podError) result.error = String((podError as Error).message ?? podError);
  else if (run.exitCode !== 0) result.error = failureText(run, follower);
  if (latencies.length > 0) {
    const p = percentiles(latencies, [50, 90, 99, 100]);
    Object.assign(result, { p50: p["p50"], p90: p["p90"], p99: p["p99"], max: p["p100"] });
  }
  return result;
}

export async function measureLogLatency(
  bench: BenchCluster,
  access: ClusterAccess,
  options: LogLatencyOptions,
  log: (text: string) => void,
): Promise<FigureReport> {
  const prPod: LatencyResult[] = [];
  const kubectl: LatencyResult[] = [];
  const describe = (name: string, r: LatencyResult) =>
    log(
      `  ${name}: p50 ${r.p50?.toFixed(2)} ms, p99 ${r.p99?.toFixed(2)} ms, ${r.received}/${options.lines} lines${r.error ? ` (${r.error})` : ""}`,
    );
  for (let round = 1; round <= options.rounds; round++) {
    const a = await measureOne(bench, access, "followJobLogs", options);
    describe(`round ${round} followJobLogs`, a);
    prPod.push(a);
    if (options.hasKubectl) {
      const b = await measureOne(bench, access, "kubectl", options);
      describe(`round ${round} kubectl logs -f`, b);
      kubectl.push(b);
    }
  }
  type Key = "p50" | "p90" | "p99" | "max";
  const values = (results: LatencyResult[], key: Key) =>
    results.map((r) => r[key]).filter((v): v is number => v !== undefined);
  const cell = (results: LatencyResult[], key: Key) => {
    if (results.length === 0) return "n/a (no kubectl)";
    const found = values(results, key);
    if (found.length === 0) return `n/a (${results[0]?.error ?? "no line arrived"})`;
    return formatSpread(spread(found), "ms", 2);
  };
  const ratio = (key: Key) => {
    const [a, b] = [spread(values(prPod, key)), spread(values(kubectl, key))];
    return a && b && b.median > 0 ? (a.median / b.median).toFixed(2) : "";
  };
  const lines = (results: LatencyResult[]) => {
    if (results.length === 0) return "n/a (no kubectl)";
    const sum = (f: (r: LatencyResult) => number) => results.reduce((total, r) => total + f(r), 0);
    return `${sum((r) => r.received)}/${options.lines * results.length}, ${sum((r) => r.duplicates)} repeated, ${sum((r) => r.outOfOrder)} out of order`;
  };
  const rows: FigureRow[] = [
    {
      metric: `line written → on the follower's stdout, p50 (${options.lines} lines per round)`,
      prPod: cell(prPod, "p50"),
      kubectl: cell(kubectl, "p50"),
      compare: ratio("p50"),
    },
    { metric: "p90", prPod: cell(prPod, "p90"), kubectl: cell(kubectl, "p90") },
    { metric: "p99", prPod: cell(prPod, "p99"), kubectl: cell(kubectl, "p99"), compare: ratio("p99") },
    { metric: "max", prPod: cell(prPod, "max"), kubectl: cell(kubectl, "max") },
    { metric: "lines delivered", prPod: lines(prPod), kubectl: lines(kubectl) },
  ];
  return {
    id: 3,
    title: "Log latency",
    rows,
    notes: [
      `${options.rounds} rounds, followJobLogs then kubectl in each; a cell is the median of the rounds' percentiles (min–max). The pod printed ${options.lines} lines of ${pad.length + 7} bytes at ${options.ratePerSecond} lines/s once the follower's stream was open; pr-pod is followJobLogs in its own Node process writing each line to stdout.`,
    ],
    data: { options, prPod, kubectl },
  };
}
