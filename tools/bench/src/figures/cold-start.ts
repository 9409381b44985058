// Figure 5. Cold start: how long a process takes from spawn to exit, for the built CLI
// (apps/cli/dist/cli.js: `--help`, and `render` with offline flags) next to kubectl doing the nearest
// thing (`--help`; rendering a Job offline with --dry-run=client), Node's and kubectl's own start-up for
// reference; and the action bundle (apps/action/dist/index.js and the main.js it loads): its size and
// the time from spawn to its first line of output, started without inputs so it stops right after
// loading, before any cluster.
// Each command runs once to warm the file cache, then N times; medians with min–max.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { runProcess } from "../harness/child-process.ts";
import { cliPath, workspaceRoot } from "../harness/paths.ts";
import { formatSpread, type Spread, spread } from "../harness/stats.ts";
import type { FigureReport, FigureRow } from "../report.ts";

export interface ColdStartOptions {
  runs: number;
  kubectl: string | undefined;
}

interface Timing {
  spread?: Spread;
  error?: string;
}

const actionPath = join(workspaceRoot, "apps/action/dist/index.js");

/** Env without anything that would make a command talk to GitHub or a cluster. */
function quietEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(key) || key === "KUBECONFIG") continue;
    env[key] = value;
  }
  return { ...env, KUBECONFIG: "/nonexistent/kubeconfig", NO_COLOR: "1", ...extra };
}

async function time(
  command: string,
  args: string[],
  runs: number,
  options: { until?: "exit" | "first-output"; okExit?: (code: number | null) => boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Timing> {
  const values: number[] = [];
  let error: string | undefined;
  for (let i = 0; i <= runs; i++) {
    let firstOutput: number | undefined;
    const run = await runProcess(command, args, {
      env: options.env ?? quietEnv(),
      onLine: ({ at }) => {
        firstOutput ??= at;
      },
      onMarker: (_name, at) => {
        firstOutput ??= at;
      },
    });
    const ok = (options.okExit ?? ((code) => code === 0))(run.exitCode);
    if (!ok) {
      error = `exit ${run.exitCode ?? run.signal}: ${run.stderrTail.trim().split("\n").slice(-1)[0]?.slice(0, 200) ?? ""}`;
      break;
    }
    if (i === 0) continue; // warm-up
    const end = options.until === "first-output" ? (firstOutput ?? run.endedAt) : run.endedAt;
    values.push(end - run.startedAt);
  }
  return error ? { error } : { spread: spread(values) as Spread };
}

const cell = (t: Timing | undefined, missing: string) =>
  t === undefined ? `n/a (${missing})` : t.error ? `n/a (${t.error})` : formatSpread(t.spread, "ms");

export async function measureColdStart(options: ColdStartOptions, log: (text: string) => void): Promise<FigureReport> {
  const runs = options.runs;
  const started = performance.now();
  const node = await time(process.execPath, ["-e", "0"], runs);
  const kubectlVersion = options.kubectl ? await time(options.kubectl, ["version", "--client"], runs) : undefined;

  const hasCli = existsSync(cliPath);
  const missingCli = "apps/cli/dist/cli.js is not built: run npm run build first";
  const help = hasCli ? await time(process.execPath, [cliPath, "--help"], runs) : undefined;
  const render = hasCli
    ? await time(
        process.execPath,
        [
          cliPath,
          "render",
          "--repo",
          "bench/app",
          "--pr",
          "7",
          "--sha",
          "a".repeat(40),
          "--head-ref",
          "feature",
          "--base-ref",
          "main",
        ],
        runs,
      )
    : undefined;
  const kubectlHelp = options.kubectl ? await time(options.kubectl, ["--help"], runs) : undefined;
  const kubectlRender = options.kubectl
    ? await time(
        options.kubectl,
        ["create", "job", "bench", "--image=docker:24-git", "--dry-run=client", "-o", "yaml"],
        runs,
      )
    : undefined;

  const hasAction = existsSync(actionPath);
  const missingAction = "apps/action/dist/index.js is not built: run npm run build first";
  // Without a pull_request event or inputs the action fails right after loading; any exit is fine.
  const actionLoad = hasAction
    ? await time(process.execPath, [actionPath], runs, {
        until: "first-output",
        okExit: () => true,
        env: quietEnv({ INPUT_CLUSTER: "existing" }),
      })
    : undefined;
  // dist/index.js is the entry (compile cache on), dist/main.js the bundle it loads (older builds: none).
  const actionFiles = [actionPath, join(workspaceRoot, "apps/action/dist/main.js")].filter((file) => existsSync(file));
  const actionBytes = hasAction ? actionFiles.reduce((sum, file) => sum + statSync(file).size, 0) : undefined;
  const actionGzipBytes = hasAction
    ? actionFiles.reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0)
    : undefined;
  const kubectlBytes = options.kubectl ? statSync(options.kubectl).size : undefined;
  log(`  (${((performance.now() - started) / 1000).toFixed(1)} s for ${runs} runs of each command)`);

  const kib = (bytes: number | undefined, missing: string) =>
    bytes === undefined ? `n/a (${missing})` : `${(bytes / 1024).toFixed(0)} KiB`;
  const ratio = (a: Timing | undefined, b: Timing | undefined) =>
    a?.spread && b?.spread && b.spread.median > 0 ? (a.spread.median / b.spread.median).toFixed(2) : "";
  const rows: FigureRow[] = [
    {
      metric: "runtime start-up alone (`node -e 0` | `kubectl version --client`)",
      prPod: cell(node, ""),
      kubectl: cell(kubectlVersion, "no kubectl"),
    },
    {
      metric: "`pr-pod --help` | `kubectl --help`",
      prPod: cell(help, missingCli),
      kubectl: cell(kubectlHelp, "no kubectl"),
      compare: ratio(help, kubectlHelp),
    },
    {
      metric: "`pr-pod render` (offline flags) | `kubectl create job --dry-run=client -o yaml`",
      prPod: cell(render, missingCli),
      kubectl: cell(kubectlRender, "no kubectl"),
      compare: ratio(render, kubectlRender),
    },
    { metric: "action bundle: spawn → first output line", prPod: cell(actionLoad, missingAction), kubectl: "—" },
    {
      metric: "action bundle size (gzip) | kubectl binary",
      prPod:
        actionBytes === undefined ? `n/a (${missingAction})` : `${kib(actionBytes, "")} (${kib(actionGzipBytes, "")})`,
      kubectl: kib(kubectlBytes, "no kubectl"),
    },
  ];
  return {
    id: 5,
    title: "Cold start",
    rows,
    notes: [
      `Process spawn to exit (the action: to its first line of output), ${runs} runs after one warm-up, from the built files in apps/*/dist (rebuild them first to measure the current code). The action runs without a pull_request event or inputs, so it fails right after loading and never touches a cluster.`,
    ],
    data: {
      runs,
      node,
      kubectlVersion,
      help,
      render,
      kubectlHelp,
      kubectlRender,
      actionLoad,
      actionBytes,
      actionGzipBytes,
      kubectlBytes,
    },
  };
}
