// One test cluster for the whole bench, with the scripted runtime standing in for the pod: every Job
// pod plays the same "build" (starts, prints a few lines over a fixed time, prints the report, exits 0)
// unless a figure registers its own script for a Job name first. Both sides therefore run the same Job
// on the same cluster, and the pod's own run time is known exactly.
import { performance } from "node:perf_hooks";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";

export interface StandardPod {
  /** How long the container runs, from start to exit. */
  runMs: number;
  /** Lines it prints, spread over runMs. */
  lines: number;
}

export type BenchPodScript = (pod: ScriptedPod) => Promise<void>;

export interface BenchCluster {
  cluster: TestCluster;
  /** A script for the pod of Job `jobName` (once), instead of the standard build. */
  scriptFor(jobName: string, script: BenchPodScript): void;
  /** How long each Job's container ran (start to exit), by Job name. */
  podRunMs: Map<string, number>;
  /** When each Job's container started and exited (performance.now() of the bench), by Job name. */
  podTimes: Map<string, { startedAt: number; exitedAt: number }>;
  /** Jobs whose pod script threw (reported, never thrown into the cluster). */
  podErrors: Map<string, string>;
  close(): Promise<void>;
}

const REPORT_LOG_MARKER = "::pr-pod-report::";

/** The report the real pod script prints and writes as its termination message, for a run that passed. */
export function passingReport(pod: ScriptedPod, totalMs: number): string {
  const env: Record<string, string> = {};
  for (const item of pod.object.spec?.containers?.[0]?.env ?? []) {
    if (typeof item.value === "string") env[item.name] = item.value;
  }
  const pr = Number(env["PR_NUMBER"]);
  return JSON.stringify({
    version: 1,
    ok: true,
    exitCode: 0,
    stage: "done",
    ...(env["PR_REPO"] ? { repo: env["PR_REPO"] } : {}),
    ...(Number.isInteger(pr) ? { pr } : {}),
    checkout: "head",
    ...(env["PR_HEAD_SHA"] ? { headSha: env["PR_HEAD_SHA"], sha: env["PR_HEAD_SHA"] } : {}),
    files: { found: ["package.json", "README.md", "Dockerfile"], missing: [], optionalFound: [], optionalMissing: [] },
    artifacts: { dockerfiles: [], bakeFiles: [], composeFiles: [], charts: [] },
    durationsMs: { total: Math.round(totalMs) },
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function jobNameOf(pod: ScriptedPod): string {
  return (pod.object.metadata?.labels?.["job-name"] as string | undefined) ?? pod.name;
}

async function startWhenScheduled(pod: ScriptedPod): Promise<number> {
  // The kubelet schedules the pod right after the runtime admits it; start the container after that.
  await new Promise<void>((resolve) => setImmediate(resolve));
  pod.start();
  return performance.now();
}

/** The standard build: the same for pr-pod and the kubectl script. */
export function standardBuild(
  spec: StandardPod,
  record: (startedAt: number, exitedAt: number) => void,
): BenchPodScript {
  return async (pod) => {
    const started = await startWhenScheduled(pod);
    const step = spec.lines > 0 ? spec.runMs / spec.lines : spec.runMs;
    for (let i = 1; i <= spec.lines; i++) {
      await delay(Math.max(0, started + i * step - performance.now()));
      pod.log(`[pr-pod] step ${i}/${spec.lines}: building layer ${i}`);
    }
    await delay(Math.max(0, started + spec.runMs - performance.now()));
    const report = passingReport(pod, performance.now() - started);
    pod.log(`${REPORT_LOG_MARKER}${report}`);
    pod.exit(0, { message: report });
    record(started, performance.now());
  };
}

export { startWhenScheduled };

export async function startBenchCluster(standard: StandardPod): Promise<BenchCluster> {
  const cluster = await startTestCluster({ runtime: "scripted", namespaces: ["bench"] });
  const scripts = new Map<string, BenchPodScript>();
  const podRunMs = new Map<string, number>();
  const podTimes = new Map<string, { startedAt: number; exitedAt: number }>();
  const podErrors = new Map<string, string>();
  cluster.runtime.onPod((pod) => {
    const jobName = jobNameOf(pod);
    const script =
      scripts.get(jobName) ??
      standardBuild(standard, (startedAt, exitedAt) => {
        podRunMs.set(jobName, exitedAt - startedAt);
        podTimes.set(jobName, { startedAt, exitedAt });
      });
    scripts.delete(jobName);
    script(pod).catch((error: unknown) => {
      podErrors.set(jobName, String((error as Error)?.message ?? error));
    });
  });
  return {
    cluster,
    podRunMs,
    podTimes,
    podErrors,
    scriptFor(jobName, script) {
      scripts.set(jobName, script);
    },
    close: () => cluster.close(),
  };
}
