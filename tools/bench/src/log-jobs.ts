// Jobs for the log figures: a bare Job created straight through the API (no token, no RBAC: only its
// log matters), a wait for the follower's log stream to be open before the pod starts printing, and
// the two followers being compared: followJobLogs in its own process, and `kubectl logs -f`.
import { performance } from "node:perf_hooks";
import { BatchV1Api } from "@kubernetes/client-node";
import type { ScriptedPod } from "@pr-pod/test-cluster";
import type { BenchCluster } from "./bench-cluster.ts";
import type { FollowLogsArgs } from "./children/follow-logs.ts";
import { type ProcessRun, runProcess, type StartProcessOptions } from "./harness/child-process.ts";
import { childProgram } from "./harness/paths.ts";
import type { ClusterAccess } from "./pull-requests.ts";

let jobCounter = 0;

export function logJobName(kind: string): string {
  jobCounter += 1;
  return `bench-${kind}-${jobCounter}-${process.pid}`;
}

export async function createBareJob(bench: BenchCluster, namespace: string, name: string): Promise<void> {
  const batch = bench.cluster.kubeConfig.makeApiClient(BatchV1Api);
  await batch.createNamespacedJob({
    namespace,
    body: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name, namespace },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: "Never",
            containers: [{ name: "build", image: "docker:24-git", command: ["/bin/sh", "-c", "true"] }],
          },
        },
      },
    },
  });
}

export async function deleteJob(bench: BenchCluster, namespace: string, name: string): Promise<void> {
  const batch = bench.cluster.kubeConfig.makeApiClient(BatchV1Api);
  await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" }).catch(() => {});
}

/** Resolves once a follow=true log request for this pod has reached the server (polls the request log). */
export async function followerConnected(bench: BenchCluster, pod: ScriptedPod, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const open = bench.cluster.requests
      .list({ resource: "pods/log", namespace: pod.namespace, name: pod.name })
      .some((r) => r.query["follow"] === "true");
    if (open) {
      // The request is logged as it arrives; let the handler subscribe to the log before lines flow.
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      return;
    }
    if (performance.now() > deadline)
      throw new Error(`no follower opened the log of pod ${pod.name} within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
}

export type Follower = "followJobLogs" | "kubectl";

export function startFollower(
  follower: Follower,
  access: ClusterAccess,
  jobName: string,
  mode: FollowLogsArgs["mode"],
  options: StartProcessOptions,
): Promise<ProcessRun> {
  if (follower === "kubectl") {
    return runProcess(
      access.kubectl,
      ["-n", access.namespace, "logs", "-f", `job/${jobName}`, "--pod-running-timeout=60s"],
      {
        ...options,
        discardStdout: mode === "discard",
        env: { ...process.env, KUBECONFIG: access.kubeconfigPath, KUBECACHEDIR: access.kubectlCacheDir },
      },
    );
  }
  const args: FollowLogsArgs = { kubeconfigPath: access.kubeconfigPath, namespace: access.namespace, jobName, mode };
  return runProcess(
    process.execPath,
    ["--enable-source-maps", childProgram("follow-logs"), JSON.stringify(args)],
    options,
  );
}
