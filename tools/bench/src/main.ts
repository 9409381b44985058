// pr-pod against the spike's kubectl way, side by side: starts one test cluster, measures each figure
// whose dependencies are there, prints one table and writes the same as JSON. A benchmark, not a
// test: nothing here fails on time, and a figure that cannot run says "n/a (why)" instead.
// Usage: node tools/bench/run.mjs [--only 1,2,3] [--rounds 5] [--log-mb 1024] ... (--help lists all)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { type BenchCluster, startBenchCluster } from "./bench-cluster.ts";
import { measureBuildStage } from "./figures/build-stage.ts";
import { measureColdStart } from "./figures/cold-start.ts";
import { measureLogLatency } from "./figures/log-latency.ts";
import { measureLogThroughput } from "./figures/log-throughput.ts";
import { measureOrchestration } from "./figures/orchestration.ts";
import { measurePreviewDeploy } from "./figures/preview-deploy.ts";
import { measureScale } from "./figures/scale.ts";
import { findKubectl, workspaceRoot } from "./harness/paths.ts";
import { type ClusterAccess, probeSecretCreate } from "./pull-requests.ts";
import { type FigureReport, markdownTable, notesText, unavailableFigure } from "./report.ts";

const HELP = `Usage: npx nx run bench:run [-- options]   (or: node tools/bench/run.mjs [options])

  --only LIST          figures to run, e.g. 1,2,5 (default: all eight)
  --rounds N           rounds of figures 1/2 and 7, pr-pod then kubectl in each (default 5)
  --pod-ms N           the standard pod's run time in ms (default 1000)
  --pod-lines N        lines the standard pod prints (default 20)
  --latency-lines N    lines timed in figure 3 (default 10000)
  --latency-rate N     lines per second the pod prints in figure 3 (default 2000)
  --latency-rounds N   rounds of figure 3, followJobLogs then kubectl in each (default 2)
  --log-mb N           MiB the pod prints in figure 4 (default 256; the issue's 1024 takes ~7 min
                       here, see README); peak RSS is reported at 100 MiB and at the end
  --line-bytes N       bytes per log line in figure 4, newline included (default 128)
  --cold-runs N        process starts per command in figure 5 (default 5)
  --scale-runs N       runs at once through runPrPod in figure 6 (default 200)
  --scale-kubectl N    kubectl script processes at once in figure 6 (default: --scale-runs)
  --budget-s N         seconds the whole bench may take; figure 6 is cut to fit (default 570)
  --kubectl PATH       kubectl 1.35 (default: $PR_POD_KUBE_TOOLS/kubectl or .tools/bin/kubectl)
  --out DIR            where results go (default: bench-results/ at the workspace root)
`;

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rounds: { type: "string", default: "5" },
    "pod-ms": { type: "string", default: "1000" },
    "pod-lines": { type: "string", default: "20" },
    "latency-lines": { type: "string", default: "10000" },
    "latency-rate": { type: "string", default: "2000" },
    "latency-rounds": { type: "string", default: "2" },
    "budget-s": { type: "string", default: "570" },
    "log-mb": { type: "string", default: "256" },
    "line-bytes": { type: "string", default: "128" },
    "cold-runs": { type: "string", default: "5" },
    "scale-runs": { type: "string", default: "200" },
    "scale-kubectl": { type: "string" },
    kubectl: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
  allowPositionals: false,
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function positiveInt(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`bench: --${name} must be a whole number above 0, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}

const options = {
  only: new Set((values.only ?? "1,2,3,4,5,6,7,8").split(",").map((x) => positiveInt("only", x.trim()))),
  rounds: positiveInt("rounds", values.rounds),
  podMs: positiveInt("pod-ms", values["pod-ms"]),
  podLines: positiveInt("pod-lines", values["pod-lines"]),
  latencyLines: positiveInt("latency-lines", values["latency-lines"]),
  latencyRate: positiveInt("latency-rate", values["latency-rate"]),
  latencyRounds: positiveInt("latency-rounds", values["latency-rounds"]),
  budgetSeconds: positiveInt("budget-s", values["budget-s"]),
  logMb: positiveInt("log-mb", values["log-mb"]),
  lineBytes: positiveInt("line-bytes", values["line-bytes"]),
  coldRuns: positiveInt("cold-runs", values["cold-runs"]),
  scaleRuns: positiveInt("scale-runs", values["scale-runs"]),
  scaleKubectl: positiveInt("scale-kubectl", values["scale-kubectl"] ?? values["scale-runs"]),
};
const outDir = values.out ?? join(workspaceRoot, "bench-results");
const kubectl = findKubectl(values.kubectl);
if (values.kubectl !== undefined && !kubectl) {
  process.stderr.write(`bench: --kubectl ${values.kubectl} does not exist; give the path to a kubectl binary\n`);
  process.exit(2);
}

const log = (text: string) => process.stderr.write(`${text}\n`);
// Exit through process.exit so child process groups started with a timeout are stopped too.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

function machine() {
  let kubectlVersion = "n/a";
  if (kubectl) {
    try {
      const out = JSON.parse(execFileSync(kubectl, ["version", "--client", "-o", "json"], { encoding: "utf8" }));
      kubectlVersion = out.clientVersion?.gitVersion ?? "unknown";
    } catch {
      kubectlVersion = "unknown";
    }
  }
  const cpuList = cpus();
  // What was measured: the commit (and whether the tree had changes), and the tools beside kubectl.
  const quietly = (command: string, args: string[]) => {
    try {
      return execFileSync(command, args, {
        encoding: "utf8",
        cwd: workspaceRoot,
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      return "n/a";
    }
  };
  const helm = kubectl ? join(dirname(kubectl), "helm") : undefined;
  return {
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(1))),
    cpu: `${cpuList.length} × ${cpuList[0]?.model.trim() ?? "unknown CPU"}`,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os: `Linux ${release()}`,
    node: process.version,
    kubectl: kubectlVersion,
    helm: helm ? quietly(helm, ["version", "--short"]) : "n/a",
    commit: quietly("git", ["rev-parse", "--short", "HEAD"]),
    uncommittedChanges: quietly("git", ["status", "--porcelain", "--untracked-files=no"]) !== "",
    // run.mjs started the bench without the machine's NODE_EXTRA_CA_CERTS (see there).
    nodeExtraCaCertsUnset: process.env["BENCH_NODE_EXTRA_CA_CERTS_UNSET"] === "1",
  };
}

async function figure(
  id: number,
  title: string,
  measure: () => Promise<FigureReport | FigureReport[]>,
): Promise<FigureReport[]> {
  const started = performance.now();
  log(`figure ${id}: ${title}`);
  try {
    const result = await measure();
    log(`  (${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadavg()[0]?.toFixed(1)})`);
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    const why =
      String((error as Error)?.message ?? error)
        .split("\n")[0]
        ?.slice(0, 300) ?? "unknown error";
    log(`  n/a: ${why}`);
    return [unavailableFigure(id, title, why)];
  }
}

const startedAt = new Date();
const loadAverageAtStart = loadavg().map((x) => Number(x.toFixed(1)));
const t0 = performance.now();
const workDir = mkdtempSync(join(tmpdir(), "pr-pod-bench-"));
let bench: BenchCluster | undefined;
const figures: FigureReport[] = [];
try {
  bench = await startBenchCluster({ runMs: options.podMs, lines: options.podLines });
  const place = {
    kubectl: kubectl ?? "kubectl",
    kubeconfigPath: bench.cluster.kubeconfigPath,
    namespace: "bench",
    kubectlCacheDir: join(workDir, "kube-cache"),
    workDir,
  };
  const access: ClusterAccess = { ...place, secretVia: kubectl ? await probeSecretCreate(place) : "create" };
  if (access.secretVia === "apply") {
    log("note: this API server refused `kubectl create secret` (protobuf body); the script applies the Secret as YAML");
  }
  const cluster = bench;
  const noKubectl = "no kubectl: run `node tools/kube-tools.mjs` or pass --kubectl";
  if (options.only.has(1) || options.only.has(2)) {
    const both = await figure(1, "Orchestration overhead and API requests", async () => {
      if (!kubectl) throw new Error(noKubectl);
      return measureOrchestration(cluster, access, { rounds: options.rounds }, log);
    });
    figures.push(...both.filter((f) => options.only.has(f.id) || both.length === 1));
  }
  if (options.only.has(3)) {
    figures.push(
      ...(await figure(3, "Log latency", () =>
        measureLogLatency(
          cluster,
          access,
          {
            lines: options.latencyLines,
            ratePerSecond: options.latencyRate,
            rounds: options.latencyRounds,
            hasKubectl: !!kubectl,
          },
          log,
        ),
      )),
    );
  }
  if (options.only.has(4)) {
    figures.push(
      ...(await figure(4, "Log throughput and memory", () =>
        measureLogThroughput(
          cluster,
          access,
          { totalMb: options.logMb, lineBytes: options.lineBytes, hasKubectl: !!kubectl },
          log,
        ),
      )),
    );
  }
  if (options.only.has(5)) {
    figures.push(...(await figure(5, "Cold start", () => measureColdStart({ runs: options.coldRuns, kubectl }, log))));
  }
  if (options.only.has(6)) {
    figures.push(
      ...(await figure(6, "Scale: runs at once", () =>
        measureScale(
          cluster,
          access,
          {
            prPodRuns: options.scaleRuns,
            kubectlRuns: options.scaleKubectl,
            hasKubectl: !!kubectl,
            podLines: options.podLines,
            // What is left of the budget, less a moment to write the results.
            deadline: t0 + options.budgetSeconds * 1000 - 10_000,
          },
          log,
        ),
      )),
    );
  }
  if (options.only.has(7)) {
    figures.push(
      ...(await figure(7, "Preview deploy: build done → preview ready and tests done", async () => {
        if (!kubectl) throw new Error(noKubectl);
        return measurePreviewDeploy({ rounds: options.rounds, kubectl }, log);
      })),
    );
  }
  if (options.only.has(8)) {
    figures.push(
      ...(await figure(8, "Build stage: pr-pod vs the same buildx commands by hand", () =>
        measureBuildStage({ rounds: options.rounds }, log),
      )),
    );
  }
} finally {
  await bench?.close();
  rmSync(workDir, { recursive: true, force: true });
}

const durationMs = performance.now() - t0;
const report = {
  startedAt: startedAt.toISOString(),
  durationSeconds: Math.round(durationMs / 1000),
  machine: machine(),
  options: { ...options, only: [...options.only] },
  figures,
};
const table = markdownTable(figures);
const notes = notesText(figures);
const m = report.machine;
const footer = `Measured ${report.startedAt} on ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, kubectl ${m.kubectl}; the bench took ${report.durationSeconds} s; 1-minute load average ${m.loadAverageAtStart[0]} at the start, ${m.loadAverageAtEnd[0]} at the end (${cpus().length} cores: above ${cpus().length} means other work competed for the CPU)${m.nodeExtraCaCertsUnset ? "; NODE_EXTRA_CA_CERTS, set on this machine, was unset for the bench and its Node processes (Node 20 reads that file at every start, which kubectl never does)" : ""}.`;
process.stdout.write(`\n${table}\n\n${notes ? `${notes}\n\n` : ""}${footer}\n`);

mkdirSync(outDir, { recursive: true });
const stamp = report.startedAt.replace(/[:.]/g, "-");
const json = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(join(outDir, `bench-${stamp}.json`), json);
writeFileSync(join(outDir, "latest.json"), json);
writeFileSync(join(outDir, "latest.md"), `${table}\n\n${notes ? `${notes}\n\n` : ""}${footer}\n`);
log(`results: ${join(outDir, "latest.json")} and latest.md`);
