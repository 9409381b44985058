// Child program for the pr-pod side: runs one or many PRs through runPrPod (the library the CLI and
// the action wrap) against the bench's test cluster, printing log lines the way the CLI does and
// "@@bench" markers when each run has its verdict ("finished") and when it has cleaned up.
import { marker, readChildArgs, writeOut } from "./child-args.ts";

export interface PrPodRunArgs {
  kubeconfigPath: string;
  namespace: string;
  token: string;
  /** Print each run's log lines to stdout (one run, like the CLI); off for many runs at once. */
  printLogs: boolean;
  runs: Array<{ repo: string; pr: number; sha: string; headRef: string; baseRef: string }>;
  /** Run these first, one after another and untimed, then say "warmed-up" and start the timed runs. */
  warmUpRuns?: PrPodRunArgs["runs"];
}

type RunPrPod = (options: Record<string, unknown>) => AsyncIterable<{ type: string; [key: string]: unknown }> & {
  result: Promise<{ status: string; reason: string; durationsMs?: unknown }>;
};

const args = readChildArgs<PrPodRunArgs>("pr-pod-run");
await marker("started");
// Loaded after the first marker, so the bench sees Node's start-up and the libraries' load apart.
const { KubeConfig } = await import("@kubernetes/client-node");
const runner = (await import("@pr-pod/runner")) as Record<string, unknown>;
await marker("loaded");
const runPrPod = runner["runPrPod"] as RunPrPod | undefined;
if (typeof runPrPod !== "function") {
  process.stderr.write("pr-pod-run: @pr-pod/runner does not export runPrPod yet\n");
  process.exit(3);
}
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(args.kubeconfigPath);
const many = args.runs.length > 1;

/** One offline run of the PR against the bench's cluster. */
const startRun = (pr: PrPodRunArgs["runs"][number]) =>
  (runPrPod as RunPrPod)({
    kubeConfig,
    namespace: args.namespace,
    token: args.token,
    noConfigFile: true,
    pullRequest: { kind: "offline", ...pr },
  });

async function one(index: number): Promise<boolean> {
  const pr = args.runs[index] as PrPodRunArgs["runs"][number];
  const suffix = many ? `:${index}` : "";
  const run = startRun(pr);
  let lines = 0;
  const warnings: string[] = [];
  const seen = new Set<string>();
  for await (const event of run) {
    // The first event of each type, timed by the bench, shows where a single run's time goes.
    if (!many && !seen.has(event.type) && event.type !== "finished" && event.type !== "cleaned-up") {
      seen.add(event.type);
      await marker(`event-${event.type}`);
    }
    if (event.type === "log-line") {
      lines += 1;
      if (args.printLogs) await writeOut(`${event["line"]}\n`);
    } else if (event.type === "finished") {
      const result = event["result"] as { status: string; reason: string };
      await marker(`finished${suffix}`, { status: result.status, reason: result.reason });
    } else if (event.type === "warning") {
      warnings.push(String(event["message"]));
    } else if (event.type === "cleaned-up") await marker(`cleaned-up${suffix}`);
  }
  const result = await run.result;
  await marker(`done${suffix}`, { status: result.status, reason: result.reason, lines, warnings });
  return result.status === "succeeded";
}

for (const pr of args.warmUpRuns ?? []) {
  const run = startRun(pr);
  for await (const _ of run) {
    // Drained only: the warm-up run is not timed.
  }
  const result = await run.result;
  if (result.status !== "succeeded") {
    process.stderr.write(`pr-pod-run: the warm-up run ended ${result.status}: ${result.reason}\n`);
    process.exit(1);
  }
}
if (args.warmUpRuns?.length) await marker("warmed-up");

const outcomes = await Promise.allSettled(args.runs.map((_, index) => one(index)));
const failed = outcomes.filter((o) => o.status === "rejected" || o.value !== true).length;
for (const o of outcomes) {
  if (o.status === "rejected") process.stderr.write(`pr-pod-run: ${(o.reason as Error)?.stack ?? o.reason}\n`);
}
await marker("memory", { maxRssBytes: process.resourceUsage().maxRSS * 1024 });
process.exitCode = failed === 0 ? 0 : 1;
