// Figure 4. Log throughput and memory: the pod prints a large log (default 1 GiB of 128-byte lines) as
// fast as its follower takes it; the follower drops the lines (followJobLogs counting them in its own
// process; `kubectl logs -f` with stdout on /dev/null). MiB/s is the log's size over the time from the
// first line to the follower's exit; peak RSS (VmHWM from /proc) is read at 100 MiB and at the end,
// each time after the server's queue to the follower has drained.
import { performance } from "node:perf_hooks";
import { type BenchCluster, startWhenScheduled } from "../bench-cluster.ts";
import { failureText } from "../harness/child-process.ts";
import { processStats } from "../harness/process-stats.ts";
import { watchServerResponses } from "../harness/server-responses.ts";
import { createBareJob, deleteJob, type Follower, followerConnected, logJobName, startFollower } from "../log-jobs.ts";
import type { ClusterAccess } from "../pull-requests.ts";
import { type FigureReport, type FigureRow, mib } from "../report.ts";

export interface LogThroughputOptions {
  totalMb: number;
  lineBytes: number;
  hasKubectl: boolean;
}

interface Checkpoint {
  atBytes: number;
  peakRssBytes?: number;
  rssBytes?: number;
  cpuSeconds?: number;
}

interface ThroughputResult {
  ok: boolean;
  error?: string;
  bytes: number;
  seconds?: number;
  mibPerSecond?: number;
  checkpoints: Checkpoint[];
  /** How long the feeder waited for the follower (near 0: the feeder or the cluster was the bottleneck). */
  feederWaitedMs: number;
  /** What the followJobLogs child counted (kubectl's output goes to /dev/null uncounted). */
  reported?: { bytes: number; lines: number };
}

const MiB = 1024 * 1024;
/** `2026-12-03T19:07:53.590123456Z ` (the kubelet always writes nine fraction digits). */
const TIMESTAMP_PREFIX_BYTES = 31;
/** Bytes queued to the follower before the feeder waits. */
const QUEUE_HIGH = 8 * MiB;
const LINES_PER_BATCH = 2048;
const DISTINCT_LINES = 1024;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function makeLines(lineBytes: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < DISTINCT_LINES; i++) {
    const head = `#${i} [build] step ${i % 37}/37 RUN npm ci --no-audit `;
    const body = head.padEnd(Math.max(1, lineBytes - 1), "abcdefghijklmnopqrstuvwxyz0123456789");
    out.push(body.slice(0, Math.max(1, lineBytes - 1)));
  }
  return out;
}

async function measureOne(
  bench: BenchCluster,
  access: ClusterAccess,
  follower: Follower,
  options: LogThroughputOptions,
): Promise<ThroughputResult> {
  const jobName = logJobName("throughput");
  const total = options.totalMb * MiB;
  const checkpointsAt = [...new Set([Math.min(100 * MiB, total), total])];
  const lines = makeLines(options.lineBytes);
  const responses = watchServerResponses();
  const checkpoints: Checkpoint[] = [];
  let followerPid: number | undefined;
  let firstLineAt = 0;
  let feederWaitedMs = 0;
  let written = 0;
  let podError: unknown;

  const drained = async (part: string) => {
    for (let i = 0; i < 10_000; i++) {
      const response = responses.find(part);
      if (!response || response.writableLength < 64 * 1024) return;
      await delay(1);
    }
  };

  bench.scriptFor(jobName, async (pod) => {
    try {
      await startWhenScheduled(pod);
      await followerConnected(bench, pod);
      const streamPath = `/pods/${pod.name}/log`;
      firstLineAt = performance.now();
      let index = 0;
      while (written < total) {
        const response = responses.find(streamPath);
        if (response && response.writableLength > QUEUE_HIGH) {
          const waitStart = performance.now();
          await delay(1);
          feederWaitedMs += performance.now() - waitStart;
          continue;
        }
        const batch: string[] = [];
        for (let k = 0; k < LINES_PER_BATCH && written < total; k++) {
          const line = lines[index++ % DISTINCT_LINES] as string;
          batch.push(line);
          written += line.length + 1;
        }
        pod.log(batch);
        if (checkpoints.length < checkpointsAt.length && written >= (checkpointsAt[checkpoints.length] as number)) {
          await drained(streamPath);
          const memory = followerPid === undefined ? undefined : processStats(followerPid);
          checkpoints.push({ atBytes: written, ...memory });
        }
        await tick();
      }
      pod.exit(0);
    } catch (error) {
      podError = error;
      pod.exit(1);
    }
  });
  await createBareJob(bench, access.namespace, jobName);
  const run = await startFollower(follower, access, jobName, "discard", {
    onSpawn: (pid) => {
      followerPid = pid;
    },
  });
  responses.stop();
  await deleteJob(bench, access.namespace, jobName);
  const result: ThroughputResult = { ok: run.exitCode === 0 && !podError, bytes: written, checkpoints, feederWaitedMs };
  const done = run.markerData.get("done");
  if (done) result.reported = JSON.parse(done);
  if (podError) result.error = String((podError as Error).message ?? podError);
  else if (run.exitCode !== 0) result.error = failureText(run, follower);
  else if (result.reported && result.reported.bytes !== written) {
    result.ok = false;
    result.error = `followJobLogs delivered ${result.reported.bytes} of ${written} bytes`;
  }
  if (result.ok && firstLineAt > 0) {
    result.seconds = (run.endedAt - firstLineAt) / 1000;
    result.mibPerSecond = written / MiB / result.seconds;
  }
  return result;
}

export async function measureLogThroughput(
  bench: BenchCluster,
  access: ClusterAccess,
  options: LogThroughputOptions,
  log: (text: string) => void,
): Promise<FigureReport> {
  const describe = (name: string, r: ThroughputResult) =>
    log(
      `  ${name}: ${r.mibPerSecond?.toFixed(1) ?? "n/a"} MiB/s, peak RSS ${r.checkpoints.map((c) => `${mib(c.atBytes)}: ${c.peakRssBytes ? mib(c.peakRssBytes) : "?"}`).join(", ")}, feeder waited ${(r.feederWaitedMs / 1000).toFixed(1)} s${r.error ? ` (${r.error})` : ""}`,
    );
  const prPod = await measureOne(bench, access, "followJobLogs", options);
  describe("followJobLogs", prPod);
  const kubectl = options.hasKubectl ? await measureOne(bench, access, "kubectl", options) : undefined;
  if (kubectl) describe("kubectl logs -f", kubectl);

  const na = (r: ThroughputResult | undefined) => (r ? `n/a (${r.error ?? "not measured"})` : "n/a (no kubectl)");
  const rate = (r: ThroughputResult | undefined) =>
    r?.mibPerSecond !== undefined ? `${r.mibPerSecond.toFixed(1)} MiB/s` : na(r);
  const rssAt = (r: ThroughputResult | undefined, index: number) => {
    const c = r?.checkpoints[index];
    return c?.peakRssBytes !== undefined && Number.isFinite(c.peakRssBytes) ? mib(c.peakRssBytes) : na(r);
  };
  const cpuMsPerMib = (r: ThroughputResult | undefined) => {
    const last = r?.checkpoints[r.checkpoints.length - 1];
    return last?.cpuSeconds !== undefined && r?.ok ? (last.cpuSeconds * 1000) / (last.atBytes / MiB) : undefined;
  };
  const cpuPerMib = (r: ThroughputResult | undefined) => {
    const value = cpuMsPerMib(r);
    return value === undefined ? na(r) : `${value.toFixed(1)} ms`;
  };
  const cpuRatio = () => {
    const [a, b] = [cpuMsPerMib(prPod), cpuMsPerMib(kubectl)];
    return a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : "";
  };
  const first = prPod.checkpoints[0]?.atBytes ?? Math.min(100 * MiB, options.totalMb * MiB);
  // pr-pod asks for timestamps=true (it resumes a dropped stream from the last line's instant): each line
  // comes with the kubelet's fixed-width prefix, which the server sends and the follower strips.
  // kubectl's stream is the log itself.
  const wireRate = (r: ThroughputResult) =>
    r.reported && r.seconds
      ? (r.reported.bytes + r.reported.lines * TIMESTAMP_PREFIX_BYTES) / MiB / r.seconds
      : undefined;
  const prPodWire = wireRate(prPod);
  const rows: FigureRow[] = [
    {
      metric: `throughput, ${mib(options.totalMb * MiB)} of ${options.lineBytes}-byte lines to /dev/null`,
      prPod: rate(prPod),
      kubectl: rate(kubectl),
      compare:
        prPod.mibPerSecond && kubectl?.mibPerSecond ? (prPod.mibPerSecond / kubectl.mibPerSecond).toFixed(2) : "",
    },
    {
      metric: `  the same on the wire (pr-pod's stream has timestamps: ${TIMESTAMP_PREFIX_BYTES} bytes more a line)`,
      prPod: prPodWire !== undefined ? `${prPodWire.toFixed(1)} MiB/s` : na(prPod),
      kubectl: rate(kubectl),
      compare: prPodWire && kubectl?.mibPerSecond ? (prPodWire / kubectl.mibPerSecond).toFixed(2) : "",
    },
    {
      metric: "follower's CPU time per MiB",
      prPod: cpuPerMib(prPod),
      kubectl: cpuPerMib(kubectl),
      compare: cpuRatio(),
    },
    ...(first < options.totalMb * MiB
      ? [{ metric: `peak RSS after ${mib(first)}`, prPod: rssAt(prPod, 0), kubectl: rssAt(kubectl, 0) }]
      : []),
    {
      metric: `peak RSS after ${mib(options.totalMb * MiB)}`,
      prPod: rssAt(prPod, prPod.checkpoints.length - 1),
      kubectl: rssAt(kubectl, (kubectl?.checkpoints.length ?? 1) - 1),
      compare: "must stay flat",
    },
  ];
  const notes = [
    `The pod (scripted, in the bench process) feeds lines as fast as the follower takes them: it waits while more than ${QUEUE_HIGH / MiB} MiB are queued on the log stream. followJobLogs counted every byte it was given; kubectl's exit status says its stream ended cleanly. On 2 cores the follower and the test cluster share the CPU, so the follower's CPU time per MiB (from /proc, read at the end) is the fairer comparison.`,
  ];
  const feederBound = [prPod, kubectl].filter(
    (r): r is ThroughputResult => !!r && r.ok && r.seconds !== undefined && r.feederWaitedMs / 1000 < 0.1 * r.seconds,
  );
  if (feederBound.length > 0) {
    notes.push(
      "The feeder rarely had to wait for the follower, so part of the time is the test cluster writing the stream (same 2 cores): read the rates as lower bounds.",
    );
  }
  const flat = (r: ThroughputResult) => {
    const [a, b] = [r.checkpoints[0]?.peakRssBytes, r.checkpoints[r.checkpoints.length - 1]?.peakRssBytes];
    return a && b ? b / a : undefined;
  };
  const growth = flat(prPod);
  if (growth !== undefined && growth > 1.25) {
    notes.push(
      `followJobLogs' peak RSS grew ${((growth - 1) * 100).toFixed(0)} % between ${mib(first)} and the end: not flat.`,
    );
  }
  return { id: 4, title: "Log throughput and memory", rows, notes, data: { options, prPod, kubectl } };
}
