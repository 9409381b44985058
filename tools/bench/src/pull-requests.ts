// Made-up pull requests for the runs, one per run so every run has its own objects, and the two ways of
// starting a run on them: the kubectl script (with manifests rendered by k8s-job-builder, as a spike user
// would paste them) and the pr-pod child program (runPrPod).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPrPodResources, renderManifests } from "@pr-pod/k8s-job-builder";
import { prPodRunName, pullRequestContextFromFlags } from "@pr-pod/pr-context";
import type { PrPodRunArgs } from "./children/pr-pod-run.ts";
import { type ProcessRun, runProcess, type StartProcessOptions } from "./harness/child-process.ts";
import { baselineScript, childProgram, cliPath } from "./harness/paths.ts";

export interface BenchPullRequest {
  repo: string;
  pr: number;
  sha: string;
  headRef: string;
  baseRef: string;
}

/** Obviously fake, never a real token. */
export const BENCH_TOKEN = "ghp_benchbenchbenchbenchbenchbench1234";

let nextNumber = 1000;

export function nextPullRequest(): BenchPullRequest {
  return {
    repo: "bench/app",
    pr: nextNumber++,
    sha: randomBytes(20).toString("hex"),
    headRef: "feature/bench",
    baseRef: "main",
  };
}

export function runNameOf(pr: BenchPullRequest): string {
  return prPodRunName(pullRequestContextFromFlags(pr));
}

export interface ClusterAccess {
  kubectl: string;
  kubeconfigPath: string;
  namespace: string;
  /** KUBECACHEDIR for kubectl's discovery cache (shared, warmed by the first run). */
  kubectlCacheDir: string;
  /** Folder for rendered manifests. */
  workDir: string;
  /** How the script sends the token Secret (see kubectl-pr-run.sh): probed once per bench. */
  secretVia: "create" | "apply";
}

/**
 * Whether this API server takes \`kubectl create secret generic\` (kubectl sends that body as protobuf;
 * a server that refuses it gets the Secret inside the script's one apply). Leaves nothing behind.
 * kubectl runs as a child process the bench waits for without blocking: the test cluster answering it
 * runs in this process.
 */
export async function probeSecretCreate(access: Omit<ClusterAccess, "secretVia">): Promise<"create" | "apply"> {
  const env = { ...process.env, KUBECONFIG: access.kubeconfigPath, KUBECACHEDIR: access.kubectlCacheDir };
  const name = "bench-probe-secret";
  const kubectl = (args: string[]) =>
    runProcess(access.kubectl, ["-n", access.namespace, ...args], { env, timeoutMs: 30_000 });
  const created = await kubectl(["create", "secret", "generic", name, "--from-literal=probe=1"]);
  if (created.exitCode !== 0) return "apply";
  await kubectl(["delete", "secret", name]);
  return "create";
}

/** Renders the run's manifests and runs the kubectl script on them. */
export function runKubectlScript(
  access: ClusterAccess,
  pr: BenchPullRequest,
  options: StartProcessOptions = {},
): Promise<ProcessRun> {
  const resources = buildPrPodResources(pullRequestContextFromFlags(pr), { namespace: access.namespace });
  const manifest = join(access.workDir, `${resources.name}.yaml`);
  writeFileSync(manifest, renderManifests(resources));
  return runProcess("bash", [baselineScript], {
    ...options,
    env: {
      ...process.env,
      KUBECTL: access.kubectl,
      KUBECONFIG: access.kubeconfigPath,
      KUBECACHEDIR: access.kubectlCacheDir,
      NAMESPACE: access.namespace,
      JOB_NAME: resources.name,
      SECRET_NAME: resources.tokenSecretName ?? `${resources.name}-token`,
      MANIFEST: manifest,
      GITHUB_PAT: BENCH_TOKEN,
      SECRET_VIA: access.secretVia,
    },
  });
}

/** Runs the given PRs through runPrPod in one child process (one PR: like `pr-pod run`). */
export function runPrPodChild(
  access: ClusterAccess,
  prs: BenchPullRequest[],
  options: StartProcessOptions = {},
  bundled = false,
  warmUpRuns: BenchPullRequest[] = [],
): Promise<ProcessRun> {
  const args: PrPodRunArgs = {
    kubeconfigPath: access.kubeconfigPath,
    namespace: access.namespace,
    token: BENCH_TOKEN,
    printLogs: prs.length === 1,
    runs: prs,
    warmUpRuns,
  };
  const env = { ...process.env };
  delete env["GITHUB_PAT"];
  delete env["GITHUB_TOKEN"];
  return runProcess(
    process.execPath,
    ["--enable-source-maps", childProgram("pr-pod-run", bundled), JSON.stringify(args)],
    {
      ...options,
      env,
    },
  );
}

/**
 * One PR through the built CLI (`pr-pod run` with offline flags): what a user types. Its verdict is the
 * first line on stdout (everything else goes to stderr), printed when the run finishes and before its
 * cleanup, as the script's `kubectl get job`; it is timed as a "finished" marker and must say succeeded.
 */
export async function runCli(
  access: ClusterAccess,
  pr: BenchPullRequest,
  options: StartProcessOptions = {},
): Promise<ProcessRun> {
  let verdictAt: number | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_PAT: BENCH_TOKEN, NO_COLOR: "1" };
  delete env["GITHUB_TOKEN"];
  const run = await runProcess(
    process.execPath,
    [
      cliPath,
      "--kubeconfig",
      access.kubeconfigPath,
      "-n",
      access.namespace,
      "run",
      "--repo",
      pr.repo,
      "--pr",
      String(pr.pr),
      "--sha",
      pr.sha,
      "--head-ref",
      pr.headRef,
      "--base-ref",
      pr.baseRef,
    ],
    {
      ...options,
      env,
      onLine: (line) => {
        if (verdictAt === undefined && line.text.startsWith("✔ succeeded")) verdictAt = line.at;
        options.onLine?.(line);
      },
    },
  );
  if (verdictAt !== undefined && run.exitCode === 0) run.markers.set("finished", verdictAt);
  return run;
}
