// What pr-pod left in a cluster, by label: the runs (`pr-pod status`), their logs (`pr-pod logs`),
// and removing them (`pr-pod cleanup`, the action's post step).
import type { KubeConfig, KubernetesObject, V1Job } from "@kubernetes/client-node";
import { followJobLogs, type LogLine } from "@pr-pod/log-streamer";
import { prPodSelector } from "@pr-pod/pr-context/pure";
import { httpStatusOf } from "./api-retry.ts";
import { apiError } from "./create-run-objects.ts";
import { RunCluster, type RunObjectKind } from "./run-cluster.ts";
import { RunnerError } from "./runner-error.ts";
import { DELETION_WAIT_MS, waitForJobGone } from "./wait-for-deletion.ts";

/** Which runs: a labelSelector string, or a filter turned into one by pr-context's prPodSelector. */
export type RunSelector = string | { owner?: string; repo?: string; number?: number };

export interface PrPodRunsOptions {
  /** Namespace to look in; default every namespace. */
  namespace?: string;
  /** Default: everything pr-pod made. */
  selector?: RunSelector;
  signal?: AbortSignal;
}

function selectorText(selector: RunSelector | undefined): string {
  return typeof selector === "string" ? selector : prPodSelector(selector ?? {});
}

export type PrPodRunStatus = "pending" | "running" | "succeeded" | "failed" | "suspended";

export interface PrPodRunSummary {
  jobName: string;
  namespace: string;
  /** `owner/repo`, from the labels. */
  repo: string;
  pr: number | undefined;
  headSha: string;
  status: PrPodRunStatus;
  /** The Job condition's reason when finished. */
  reason?: string;
  createdAt?: string;
  /** Milliseconds since the Job was created. */
  ageMs?: number;
}

/** The runs pr-pod made, newest first. */
export async function listPrPodRuns(
  kubeConfig: KubeConfig,
  options: PrPodRunsOptions = {},
): Promise<PrPodRunSummary[]> {
  const cluster = new RunCluster(kubeConfig);
  const selector = selectorText(options.selector);
  let jobs: V1Job[];
  try {
    jobs = (await cluster.call("list pr-pod Jobs", options.signal, (s) =>
      cluster.kinds.Job.list(options.namespace, selector, s),
    )) as V1Job[];
  } catch (error) {
    throw apiError(error, `list Jobs${options.namespace ? ` in namespace ${options.namespace}` : ""}`);
  }
  const now = Date.now();
  return jobs.map((job) => summarize(job, now)).sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
}

export function summarize(job: V1Job, now = Date.now()): PrPodRunSummary {
  const labels = job.metadata?.labels ?? {};
  const conditions = job.status?.conditions ?? [];
  const finished = conditions.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  let status: PrPodRunStatus = "pending";
  if (finished) status = finished.type === "Complete" ? "succeeded" : "failed";
  else if (job.spec?.suspend) status = "suspended";
  else if ((job.status?.active ?? 0) > 0) status = "running";
  const created = job.metadata?.creationTimestamp ? new Date(job.metadata.creationTimestamp) : undefined;
  const summary: PrPodRunSummary = {
    jobName: job.metadata?.name ?? "",
    namespace: job.metadata?.namespace ?? "",
    repo: `${labels["pr-pod.dev/owner"] ?? ""}/${labels["pr-pod.dev/repo"] ?? ""}`,
    pr: labels["pr-pod.dev/pr"] ? Number(labels["pr-pod.dev/pr"]) : undefined,
    headSha: labels["pr-pod.dev/head-sha"] ?? "",
    status,
  };
  if (finished?.reason) summary.reason = finished.reason;
  if (created) {
    summary.createdAt = created.toISOString();
    summary.ageMs = Math.max(0, now - created.getTime());
  }
  return summary;
}

export interface FollowRunLogsOptions {
  namespace: string;
  /** The run's Job name (as `pr-pod status` shows it). */
  jobName: string;
  signal?: AbortSignal;
  redact?: (text: string) => string;
}

/** The log of an existing run, live while it runs; ends when its container has terminated. */
export function followRunLogs(kubeConfig: KubeConfig, options: FollowRunLogsOptions): AsyncIterable<LogLine> {
  return followJobLogs(kubeConfig, options);
}

export interface CleanupPrPodsOptions extends PrPodRunsOptions {
  /**
   * How long to wait for deleted Jobs to go with their pods (Foreground deletion) before failing with
   * TIMEOUT (default 30 000 ms; 0 returns once the deletes are accepted).
   */
  waitMs?: number;
}

export interface DeletedObject {
  kind: RunObjectKind;
  name: string;
  namespace: string;
}

// The Job last: deleting it first would let the garbage collector race this loop for the rest.
const CLEANUP_KINDS: RunObjectKind[] = ["Secret", "ConfigMap", "ServiceAccount", "Role", "RoleBinding", "Job"];

/**
 * Deletes everything pr-pod made that matches the selector (all runs, one repo, one PR): Jobs with
 * their pods (propagationPolicy Foreground, waiting until they are gone), and the Secrets, local-changes ConfigMaps (run --source),
 * ServiceAccounts, Roles and RoleBindings, including any an interrupted run left without an owner. Returns what it deleted.
 */
export async function cleanupPrPods(kubeConfig: KubeConfig, options?: CleanupPrPodsOptions): Promise<DeletedObject[]>;
export async function cleanupPrPods(
  options: CleanupPrPodsOptions & { kubeConfig: KubeConfig },
): Promise<DeletedObject[]>;
export async function cleanupPrPods(
  first: KubeConfig | (CleanupPrPodsOptions & { kubeConfig: KubeConfig }),
  second: CleanupPrPodsOptions = {},
): Promise<DeletedObject[]> {
  const { kubeConfig, options } =
    "kubeConfig" in first ? { kubeConfig: first.kubeConfig, options: first } : { kubeConfig: first, options: second };
  const cluster = new RunCluster(kubeConfig);
  const selector = selectorText(options.selector);
  const deleted: DeletedObject[] = [];
  const deletingJobs: { namespace: string; name: string; resourceVersion: string | undefined }[] = [];
  for (const kind of CLEANUP_KINDS) {
    const client = cluster.kinds[kind];
    let objects: KubernetesObject[];
    try {
      objects = await cluster.call(`list ${kind}s to clean up`, options.signal, (s) =>
        client.list(options.namespace, selector, s),
      );
    } catch (error) {
      // Local-changes ConfigMaps are owned by their Job, so the garbage collector takes them anyway:
      // a user who may not list ConfigMaps (most runs never make one) can still clean up.
      if (kind === "ConfigMap" && httpStatusOf(error) === 403) continue;
      throw apiError(error, `list ${kind}s with ${selector}`);
    }
    for (const object of objects) {
      const name = object.metadata?.name ?? "";
      const namespace = object.metadata?.namespace ?? options.namespace ?? "default";
      if (object.metadata?.deletionTimestamp) continue;
      try {
        const answer = await cluster.call(`delete ${kind} ${namespace}/${name}`, options.signal, (s) =>
          client.remove(namespace, name, s),
        );
        deleted.push({ kind, name, namespace });
        if (kind === "Job") {
          // The Job marked for deletion (typed as a Status by client-node: only its resourceVersion stays).
          const resourceVersion = (answer as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          deletingJobs.push({ namespace, name, resourceVersion });
        }
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw apiError(error, `delete ${kind} ${namespace}/${name}`);
      }
    }
  }
  // Deleted in the foreground: each Job goes once the garbage collector has removed its pods, so what
  // this returns is gone when it returns (bounded, as kubectl delete --wait).
  const timeoutMs = options.waitMs ?? DELETION_WAIT_MS;
  if (timeoutMs > 0) {
    const waits = deletingJobs.map((job) =>
      waitForJobGone(cluster, { ...job, signal: options.signal, timeoutMs }).then((gone) => (gone ? [] : [job.name])),
    );
    const left = (await Promise.all(waits)).flat();
    if (left.length > 0) {
      throw new RunnerError(
        "TIMEOUT",
        `deleted ${deleted.length} object(s), but after ${timeoutMs / 1000} s Kubernetes is still removing ${left.map((name) => `Job/${name}`).join(", ")} and their pods; they go on their own. Check with: kubectl get jobs,pods -n ${options.namespace ?? "<namespace>"} -l ${selector}`,
      );
    }
  }
  return deleted;
}
