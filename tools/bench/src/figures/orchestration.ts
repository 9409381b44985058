// Figures 1 and 2 from the same runs: one PR run at a time, pr-pod and the kubectl script interleaved
// (A B, A B, ...) on one test cluster, each after one warm-up run that is not counted.
// 1. Orchestration overhead: start of the process to its verdict ("finished"), minus the pod's own run
//    time (the scripted container's start to exit, measured where it happens).
// 2. API requests per run from the test cluster's request log, by verb, against the floor: the objects
//    a run must create, one watch and one log stream.

import { existsSync } from "node:fs";
import type { BenchCluster } from "../bench-cluster.ts";
import { failureText, type ProcessRun } from "../harness/child-process.ts";
import { trackInFlightRequests } from "../harness/in-flight-requests.ts";
import { cliPath } from "../harness/paths.ts";
import { formatSpread, type Spread, spread } from "../harness/stats.ts";
import {
  type BenchPullRequest,
  type ClusterAccess,
  nextPullRequest,
  runCli,
  runKubectlScript,
  runNameOf,
  runPrPodChild,
} from "../pull-requests.ts";
import type { FigureReport, FigureRow } from "../report.ts";

export interface OrchestrationOptions {
  rounds: number;
}

/** pr-pod loading its dependencies from node_modules (as the CLI does), pr-pod fully bundled, the script. */
type Side = "prPod" | "prPodWarm" | "prPodBundled" | "cli" | "kubectl";

interface RunSample {
  side: Side;
  round: number;
  warmUp: boolean;
  ok: boolean;
  error?: string;
  wallToFinishedMs?: number;
  wallToDoneMs: number;
  podRunMs?: number;
  overheadMs?: number;
  /** pr-pod: the overhead minus the process start and library load (runPrPod in a running process). */
  overheadOnceLoadedMs?: number;
  /** Process start → the pod's container started. */
  toPodStartMs?: number;
  /** The pod's container exited → the verdict was printed. */
  exitToVerdictMs?: number;
  /** Each marker's time from the process start (the script's phases, pr-pod's first event of each type). */
  phasesMs: Record<string, number>;
  requestsByVerb: Record<string, number>;
  requestsByKind: Record<string, number>;
  requestsTotal: number;
  /** Connections the run's requests came on (each a TLS handshake). */
  connections: number;
  peakInFlight: number;
}

const SIDE_LABELS: Record<Side, string> = {
  prPod: "pr-pod",
  prPodWarm: "pr-pod, a second run in one process",
  prPodBundled: "pr-pod bundled",
  cli: "pr-pod CLI",
  kubectl: "kubectl script",
};

/** The verbs shown, in this order; anything else is summed as "other" (discovery, version...). */
export const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;

export function requestsByVerb(records: readonly { verb: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) {
    const verb = (VERBS as readonly string[]).includes(record.verb) ? record.verb : "other";
    out[verb] = (out[verb] ?? 0) + 1;
  }
  return out;
}

async function oneRun(
  bench: BenchCluster,
  access: ClusterAccess,
  side: Side,
  round: number,
  warmUp: boolean,
): Promise<RunSample> {
  const pr: BenchPullRequest = nextPullRequest();
  const jobName = runNameOf(pr);
  bench.cluster.requests.clear();
  const tracker = trackInFlightRequests();
  const run: ProcessRun =
    side === "kubectl"
      ? await runKubectlScript(access, pr)
      : side === "cli"
        ? await runCli(access, pr)
        : await runPrPodChild(
            access,
            [pr],
            {},
            side === "prPodBundled",
            // What `serve` pays per run: the process has already done a run (TLS set up, code compiled).
            side === "prPodWarm" ? [nextPullRequest()] : [],
          );
  tracker.stop();
  const records = bench.cluster.requests.list();
  const counters = bench.cluster.requests.counters();
  const finishedAt = run.markers.get("finished");
  const finishedData = run.markerData.get("finished");
  const verdictOk =
    side === "kubectl" ||
    side === "cli" ||
    (finishedData !== undefined && JSON.parse(finishedData || "{}").status === "succeeded");
  const ok = run.exitCode === 0 && finishedAt !== undefined && verdictOk;
  const podRunMs = bench.podRunMs.get(jobName);
  const sample: RunSample = {
    side,
    round,
    warmUp,
    ok,
    wallToDoneMs: run.endedAt - run.startedAt,
    requestsByVerb: requestsByVerb(records),
    requestsByKind: counters,
    requestsTotal: records.length,
    connections: tracker.connections,
    peakInFlight: tracker.peak,
    phasesMs: Object.fromEntries([...run.markers].map(([name, at]) => [name, Math.round(at - run.startedAt)])),
  };
  const podTimes = bench.podTimes.get(jobName);
  if (podTimes) sample.toPodStartMs = podTimes.startedAt - run.startedAt;
  if (podTimes && finishedAt !== undefined) sample.exitToVerdictMs = finishedAt - podTimes.exitedAt;
  if (!ok) {
    sample.error = failureText(run, SIDE_LABELS[side]);
    if (process.env["BENCH_VERBOSE"]) process.stderr.write(`${run.stderrTail}\n`);
  }
  if (finishedAt !== undefined) sample.wallToFinishedMs = finishedAt - run.startedAt;
  if (podRunMs !== undefined) sample.podRunMs = podRunMs;
  if (sample.wallToFinishedMs !== undefined && podRunMs !== undefined)
    sample.overheadMs = sample.wallToFinishedMs - podRunMs;
  const loaded = run.markers.get("warmed-up") ?? run.markers.get("loaded");
  if (sample.overheadMs !== undefined && loaded !== undefined)
    sample.overheadOnceLoadedMs = sample.overheadMs - (loaded - run.startedAt);
  return sample;
}

function medianPhases(samples: RunSample[]): Record<string, number> {
  const names = new Set(samples.flatMap((s) => Object.keys(s.phasesMs)));
  const out: Record<string, number> = {};
  for (const name of names) {
    const value = spread(samples.map((s) => s.phasesMs[name]).filter((v): v is number => v !== undefined));
    if (value) out[name] = Math.round(value.median);
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => a[1] - b[1]));
}

function summary(samples: RunSample[], side: Side) {
  const counted = samples.filter((s) => s.side === side && !s.warmUp && s.ok);
  const pick = (f: (s: RunSample) => number | undefined) =>
    spread(counted.map(f).filter((v): v is number => v !== undefined));
  const verbs: Record<string, Spread | undefined> = {};
  for (const verb of [...VERBS, "other"]) verbs[verb] = pick((s) => s.requestsByVerb[verb] ?? 0);
  return {
    runs: counted.length,
    failed: samples.filter((s) => s.side === side && !s.ok).length,
    firstError: samples.find((s) => s.side === side && !s.ok)?.error,
    overheadMs: pick((s) => s.overheadMs),
    overheadOnceLoadedMs: pick((s) => s.overheadOnceLoadedMs),
    wallToFinishedMs: pick((s) => s.wallToFinishedMs),
    wallToDoneMs: pick((s) => s.wallToDoneMs),
    podRunMs: pick((s) => s.podRunMs),
    toPodStartMs: pick((s) => s.toPodStartMs),
    exitToVerdictMs: pick((s) => s.exitToVerdictMs),
    phasesMs: medianPhases(counted),
    requestsTotal: pick((s) => s.requestsTotal),
    connections: pick((s) => s.connections),
    peakInFlight: pick((s) => s.peakInFlight),
    requestsByVerb: verbs,
    requestsByKind: counted[counted.length - 1]?.requestsByKind,
  };
}

export async function measureOrchestration(
  bench: BenchCluster,
  access: ClusterAccess,
  options: OrchestrationOptions,
  log: (text: string) => void,
): Promise<FigureReport[]> {
  const samples: RunSample[] = [];
  const sides: Side[] = existsSync(cliPath)
    ? ["prPod", "prPodWarm", "prPodBundled", "cli", "kubectl"]
    : ["prPod", "prPodWarm", "prPodBundled", "kubectl"];
  for (let round = 0; round <= options.rounds; round++) {
    for (const side of sides) {
      const sample = await oneRun(bench, access, side, round, round === 0);
      samples.push(sample);
      log(
        `  ${round === 0 ? "warm-up" : `round ${round}`} ${SIDE_LABELS[side]}: ${
          sample.ok
            ? `${sample.wallToFinishedMs?.toFixed(0)} ms to verdict, ${sample.requestsTotal} requests`
            : sample.error
        }`,
      );
    }
  }
  const prPod = summary(samples, "prPod");
  const warm = summary(samples, "prPodWarm");
  const bundled = summary(samples, "prPodBundled");
  const cli = summary(samples, "cli");
  const kubectl = summary(samples, "kubectl");
  const na = (side: ReturnType<typeof summary>) => `n/a (${side.firstError ?? "no successful run"})`;
  const cellOf = (side: ReturnType<typeof summary>, value: Spread | undefined, unit: string, digits = 0) =>
    side.runs === 0 ? na(side) : formatSpread(value, unit, digits);

  const ratioOf = (value: Spread | undefined) =>
    value && kubectl.overheadMs && kubectl.overheadMs.median > 0 ? value.median / kubectl.overheadMs.median : undefined;
  // The goals of issue #18: a fresh process at most as slow as the script (0.5 the aim), a run in a running
  // process (what `serve` pays per run) at most 0.3 of it.
  const goal = (r: number | undefined, limit = 1) =>
    r === undefined ? `goal ≤ ${limit}` : `${r.toFixed(2)} (goal ≤ ${limit}: ${r <= limit ? "met" : "missed"})`;
  const ratio = ratioOf(prPod.overheadMs);
  const bundledRatio = ratioOf(bundled.overheadMs);
  const cliRatio = ratioOf(cli.overheadMs);
  const loadedRatio = ratioOf(prPod.overheadOnceLoadedMs);
  const warmRatio = ratioOf(warm.overheadOnceLoadedMs);
  const overheadRows: FigureRow[] = [
    {
      metric: "overhead: start → verdict, minus pod run time (median, min–max)",
      prPod: cellOf(prPod, prPod.overheadMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.overheadMs, "ms"),
      compare: goal(ratio),
    },
    {
      metric: "  same, pr-pod with its dependencies bundled (as the action ships)",
      prPod: cellOf(bundled, bundled.overheadMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.overheadMs, "ms"),
      compare: goal(bundledRatio),
    },
    {
      metric: "  same, the built CLI (`pr-pod run`, offline flags)",
      prPod: existsSync(cliPath) ? cellOf(cli, cli.overheadMs, "ms") : "n/a (apps/cli/dist/cli.js is not built)",
      kubectl: cellOf(kubectl, kubectl.overheadMs, "ms"),
      compare: goal(cliRatio),
    },
    {
      metric: "  same, runPrPod in a running process that has done a run before (what `serve` pays per run)",
      prPod: cellOf(warm, warm.overheadOnceLoadedMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.overheadMs, "ms"),
      compare: goal(warmRatio, 0.3),
    },
    {
      metric: "  same, the first run of a process once its libraries are loaded (no start-up, no load)",
      prPod: cellOf(prPod, prPod.overheadOnceLoadedMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.overheadMs, "ms"),
      compare: loadedRatio === undefined ? "" : loadedRatio.toFixed(2),
    },
    {
      metric: "start → verdict (wall)",
      prPod: cellOf(prPod, prPod.wallToFinishedMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.wallToFinishedMs, "ms"),
    },
    {
      metric: "  of which: start → pod's container started",
      prPod: cellOf(prPod, prPod.toPodStartMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.toPodStartMs, "ms"),
    },
    {
      metric: "  of which: container exited → verdict printed",
      prPod: cellOf(prPod, prPod.exitToVerdictMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.exitToVerdictMs, "ms"),
    },
    {
      metric: "start → objects deleted, process exited (wall)",
      prPod: cellOf(prPod, prPod.wallToDoneMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.wallToDoneMs, "ms"),
    },
    {
      metric: "pod's own run time",
      prPod: cellOf(prPod, prPod.podRunMs, "ms"),
      kubectl: cellOf(kubectl, kubectl.podRunMs, "ms"),
    },
  ];

  // The floor: the objects a run creates (token Secret, ServiceAccount, Role, RoleBinding, Job), one
  // watch and one log stream. Deleting them again is not part of the floor's definition.
  const createdObjects = 5;
  const floor = createdObjects + 2;
  const requestRows: FigureRow[] = [
    {
      metric: "API requests per run, total (median, min–max)",
      prPod: cellOf(prPod, prPod.requestsTotal, ""),
      kubectl: cellOf(kubectl, kubectl.requestsTotal, ""),
      compare: `floor ${floor} (${createdObjects} creates + 1 watch + 1 log stream)`,
    },
    {
      metric: "connections opened per run (a TLS handshake each)",
      prPod: cellOf(prPod, prPod.connections, ""),
      kubectl: cellOf(kubectl, kubectl.connections, ""),
    },
    {
      metric: "requests in flight at once, peak",
      prPod: cellOf(prPod, prPod.peakInFlight, ""),
      kubectl: cellOf(kubectl, kubectl.peakInFlight, ""),
    },
    ...[...VERBS, "other"].map((verb) => ({
      metric: `  ${verb}${verb === "other" ? " (discovery, non-resource)" : ""}`,
      prPod: cellOf(prPod, prPod.requestsByVerb[verb], ""),
      kubectl: cellOf(kubectl, kubectl.requestsByVerb[verb], ""),
      compare: verb === "create" ? `floor ${createdObjects}` : verb === "watch" ? "floor 1" : "",
    })),
  ];
  const notes: string[] = [];
  const rounds = `${options.rounds} rounds of ${sides.map((side) => SIDE_LABELS[side]).join(", ")}, after one uncounted warm-up round`;
  const figure1: FigureReport = {
    id: 1,
    title: "Orchestration overhead",
    rows: overheadRows,
    notes,
    data: {
      rounds: options.rounds,
      prPod,
      prPodBundled: bundled,
      cli,
      prPodWarm: warm,
      kubectl,
      /** How the script sent the token Secret: "create" (as the spike) or "apply" (one kubectl start fewer). */
      kubectlSecretVia: access.secretVia,
      ratio,
      bundledRatio,
      cliRatio,
      loadedRatio,
      warmRatio,
      samples,
    },
  };
  notes.push(
    `${rounds}. The pod is the test cluster's scripted runtime playing a fixed build; its run time is taken where it runs and subtracted. pr-pod is runPrPod in its own Node process (what \`pr-pod run\` wraps, without the CLI's argument parsing), so Node's start-up is in its overhead, as kubectl's start-ups are in the script's. The CLI's verdict is its verdict line, which it prints when the run finishes, before cleaning up (as the script's \`kubectl get job\`).`,
  );
  if (access.secretVia === "apply") {
    notes.push(
      "This API server refused `kubectl create secret`'s protobuf body, so the script sends the Secret as YAML inside its one `kubectl apply`: one kubectl start fewer than the spike, in the baseline's favour.",
    );
  }
  const phaseText = (phases: Record<string, number>) =>
    Object.entries(phases)
      .map(([name, at]) => `${name.replace(/^event-/, "")} ${at}`)
      .join(", ");
  if (prPod.runs > 0) notes.push(`pr-pod's median phases, ms from process start: ${phaseText(prPod.phasesMs)}.`);
  if (bundled.runs > 0) notes.push(`pr-pod bundled, the same: ${phaseText(bundled.phasesMs)}.`);
  if (kubectl.runs > 0)
    notes.push(`The script's median phases, ms from process start: ${phaseText(kubectl.phasesMs)}.`);
  if (ratio !== undefined && ratio > 1) {
    notes.push(
      `Goal missed by the library loaded from node_modules: the overhead ratio is ${ratio.toFixed(2)}, ${((ratio - 1) * 100).toFixed(0)} % above 1.0 (pr-pod ${prPod.overheadMs?.median.toFixed(0)} ms against ${kubectl.overheadMs?.median.toFixed(0)} ms); the bundled rows are what users start.`,
    );
    const started = prPod.phasesMs["started"];
    const loaded = prPod.phasesMs["loaded"];
    const bundledLoaded = bundled.phasesMs["loaded"];
    if (started !== undefined && loaded !== undefined && prPod.overheadOnceLoadedMs) {
      notes.push(
        `Where pr-pod's overhead goes (medians): ${started} ms until Node runs the first line, ${loaded - started} ms loading @kubernetes/client-node and the libraries from node_modules${bundledLoaded !== undefined && bundled.phasesMs["started"] !== undefined ? ` (${bundledLoaded - bundled.phasesMs["started"]} ms bundled)` : ""}, ${prPod.overheadOnceLoadedMs.median.toFixed(0)} ms for the run itself (preflight, creating the objects, watching, the verdict).`,
      );
    }
  }
  const figure2: FigureReport = {
    id: 2,
    title: "API requests per run",
    rows: requestRows,
    notes: [
      "Counted from the test cluster's request log between the start and the exit of each run, including cleanup; the kubectl script's \"get\" includes `kubectl wait`'s and `kubectl logs`' lookups and \"other\" its discovery requests when the cache misses.",
    ],
    data: { floor, createdObjects, prPod: prPod.requestsByKind, kubectl: kubectl.requestsByKind },
  };
  const reviews = prPod.requestsByKind?.["create selfsubjectaccessreviews"] ?? 0;
  const rulesReviews = prPod.requestsByKind?.["create selfsubjectrulesreviews"] ?? 0;
  if (reviews > 0 && prPod.requestsTotal) {
    figure2.notes.push(
      `pr-pod's preflight is ${reviews + rulesReviews} of its requests: the test cluster has no SelfSubjectRulesReview, so the runner falls back to one SelfSubjectAccessReview per permission (${reviews}). A real API server answers the rules review, which makes preflight 1 request and a run about ${prPod.requestsTotal.median - reviews} requests.`,
    );
  }
  return [figure1, figure2];
}
