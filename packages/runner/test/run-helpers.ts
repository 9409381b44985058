// Shared pieces of the runner's cluster tests: a PR, a token, a scripted pod that behaves like the
// real pod script (log lines, the marked report line, the report as termination message).
import { BatchV1Api, CoreV1Api, type KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import type { PrPodReport } from "@pr-pod/file-verifier";
import { REPORT_LOG_MARKER } from "@pr-pod/file-verifier";
import type { ScriptedPod } from "@pr-pod/test-cluster";
import type { PrPodRun, RunEvent, RunPrPodOptions } from "../src/index.ts";

export const TEST_TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
export const HEAD_SHA = "0123456789abcdef0123456789abcdef01234567";

let prCounter = 100;

/** A fresh PR number per test, so tests in one cluster never share run names. */
export function offlinePullRequest(
  overrides: Partial<{ repo: string; pr: number; sha: string }> = {},
): RunPrPodOptions["pullRequest"] {
  return {
    kind: "offline",
    repo: overrides.repo ?? "octo/widgets",
    pr: overrides.pr ?? ++prCounter,
    sha: overrides.sha ?? HEAD_SHA,
    headRef: "feature",
    baseRef: "main",
  };
}

export function successReport(): PrPodReport {
  return {
    version: 1,
    ok: true,
    exitCode: 0,
    stage: "done",
    sha: HEAD_SHA,
    files: { found: ["package.json", "README.md", "Dockerfile"], missing: [], optionalFound: [], optionalMissing: [] },
    artifacts: { dockerfiles: ["Dockerfile"], bakeFiles: [], composeFiles: [], charts: [] },
    builds: [{ kind: "dockerfile", file: "Dockerfile", context: ".", ok: true, durationMs: 5 }],
    durationsMs: { total: 10 },
  };
}

/** What the real script does at its end: the report on the last log line and as termination message. */
export function finishLikeThePodScript(pod: ScriptedPod, lines: string[], report = successReport()): void {
  pod.log([...lines, `${REPORT_LOG_MARKER}${JSON.stringify(report)}`]);
  pod.exit(report.exitCode, { message: JSON.stringify(report) });
}

export async function collect(run: PrPodRun): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

/** Every object pr-pod could have left in a namespace, as "Kind/name". */
export async function leftovers(kubeConfig: KubeConfig, namespace: string): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const selector = { namespace, labelSelector: "app.kubernetes.io/managed-by=pr-pod" };
  const [jobs, secrets, configMaps, accounts, roles, bindings, pods] = await Promise.all([
    batch.listNamespacedJob(selector),
    core.listNamespacedSecret(selector),
    core.listNamespacedConfigMap(selector),
    core.listNamespacedServiceAccount(selector),
    rbac.listNamespacedRole(selector),
    rbac.listNamespacedRoleBinding(selector),
    core.listNamespacedPod({ namespace }),
  ]);
  return [
    ...jobs.items.map((o) => `Job/${o.metadata?.name}`),
    ...secrets.items.map((o) => `Secret/${o.metadata?.name}`),
    ...configMaps.items.map((o) => `ConfigMap/${o.metadata?.name}`),
    ...accounts.items.map((o) => `ServiceAccount/${o.metadata?.name}`),
    ...roles.items.map((o) => `Role/${o.metadata?.name}`),
    ...bindings.items.map((o) => `RoleBinding/${o.metadata?.name}`),
    ...pods.items.map((o) => `Pod/${o.metadata?.name}`),
  ].sort();
}
