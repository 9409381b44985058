// Pure judgement of a Job's outcome from the Job and its pods, as the watches last saw them.
// The Job's own conditions decide when present; before that, some pod states are final because
// nothing will fix them by waiting (a bad image, a missing Secret key, no node that fits...).
// https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-states
import type { V1ContainerStatus, V1Job, V1Pod } from "@kubernetes/client-node";

export type JobResultStatus = "succeeded" | "failed";

export interface JobResult {
  status: JobResultStatus;
  /** Machine-readable cause: `Completed`, the Job condition reason, or the pod's (ErrImagePull, OOMKilled...). */
  reason: string;
  /** A sentence for people, from the condition or container state message. */
  message: string;
  podName?: string;
  nodeName?: string;
  containerName?: string;
  exitCode?: number;
  /** The container's termination message (the pod writes its report there). */
  terminationMessage?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** Container waiting reasons that never clear by themselves. */
export const UNFIXABLE_WAITING_REASONS: readonly string[] = [
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
];

export interface JudgeOptions {
  /** The container whose exit code and message count; default the pod's first container. */
  containerName?: string;
  /** How long a pod may stay Unschedulable before the run is called failed. */
  unschedulableGraceMs: number;
  /** When this process first saw the current pod Unschedulable (its own clock, not the server's). */
  unschedulableSeenAt?: number;
  now: number;
}

/** The newest pod of the Job (the one a retry created last). */
export function currentPod(pods: Iterable<V1Pod>): V1Pod | undefined {
  let newest: V1Pod | undefined;
  for (const pod of pods) {
    const created = Date.parse(String(pod.metadata?.creationTimestamp ?? ""));
    const best = Date.parse(String(newest?.metadata?.creationTimestamp ?? ""));
    if (!newest || !(created < best)) newest = pod;
  }
  return newest;
}

export function mainContainerStatus(pod: V1Pod | undefined, containerName?: string): V1ContainerStatus | undefined {
  const name = containerName ?? pod?.spec?.containers?.[0]?.name;
  return pod?.status?.containerStatuses?.find((status) => status.name === name);
}

/** True while the pod's PodScheduled condition is False with reason Unschedulable. */
export function isUnschedulable(pod: V1Pod | undefined): boolean {
  const condition = pod?.status?.conditions?.find((c) => c.type === "PodScheduled");
  return condition?.status === "False" && condition.reason === "Unschedulable";
}

/** Fills exit code, termination message and times from the pod, when it has them. */
export function podDetails(pod: V1Pod | undefined, containerName?: string): Partial<JobResult> {
  if (!pod) return {};
  const status = mainContainerStatus(pod, containerName);
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
  const details: Partial<JobResult> = {};
  if (pod.metadata?.name) details.podName = pod.metadata.name;
  if (pod.spec?.nodeName) details.nodeName = pod.spec.nodeName;
  if (status?.name) details.containerName = status.name;
  if (terminated) {
    details.exitCode = terminated.exitCode;
    if (terminated.message) details.terminationMessage = terminated.message;
    if (terminated.startedAt) details.startedAt = new Date(terminated.startedAt).toISOString();
    if (terminated.finishedAt) details.finishedAt = new Date(terminated.finishedAt).toISOString();
  }
  return details;
}

/**
 * The outcome, or undefined while the Job may still go either way. `job` undefined means the Job
 * was not seen (yet); a Job that existed and vanished is judged by the caller.
 */
export function judgeJobOutcome(
  job: V1Job | undefined,
  pods: Iterable<V1Pod>,
  options: JudgeOptions,
): JobResult | undefined {
  const pod = currentPod(pods);
  const details = podDetails(pod, options.containerName);
  const conditions = job?.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.find((c) => c.type === type && c.status === "True");

  const complete = isTrue("Complete");
  if (complete) {
    return { ...details, status: "succeeded", reason: "Completed", message: complete.message || "the Job completed" };
  }
  const podCause = unfixablePodCause(pod, options);
  // FailureTarget (1.31+) comes before Failed while the pods are being stopped; both are final. The
  // pod's own cause (OOMKilled, Evicted...) says more than the Job's BackoffLimitExceeded.
  const failed = isTrue("Failed") ?? isTrue("FailureTarget");
  if (failed) {
    const reason = podCause?.reason ?? (failed.reason || "Failed");
    const message = podCause?.message ?? (failed.message || `the Job failed: ${reason}`);
    return { ...details, status: "failed", reason, message };
  }
  return podCause ? { ...details, status: "failed", ...podCause } : undefined;
}

/** A pod state that no amount of waiting fixes, or undefined. */
function unfixablePodCause(
  pod: V1Pod | undefined,
  options: JudgeOptions,
): { reason: string; message: string } | undefined {
  if (!pod) return undefined;
  if (pod.status?.reason === "Evicted")
    return { reason: "Evicted", message: pod.status.message || "the pod was evicted" };
  if (pod.status?.reason === "DeadlineExceeded") {
    return { reason: "DeadlineExceeded", message: pod.status.message || "the pod ran past its active deadline" };
  }
  const container = mainContainerStatus(pod, options.containerName);
  const waiting = container?.state?.waiting;
  if (waiting?.reason && UNFIXABLE_WAITING_REASONS.includes(waiting.reason)) {
    return { reason: waiting.reason, message: waiting.message || `the container cannot start: ${waiting.reason}` };
  }
  if (container?.state?.terminated?.reason === "OOMKilled") {
    return { reason: "OOMKilled", message: "the container ran out of memory (OOMKilled)" };
  }
  const since = options.unschedulableSeenAt;
  if (isUnschedulable(pod) && since !== undefined && options.now - since >= options.unschedulableGraceMs) {
    const condition = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    return { reason: "Unschedulable", message: condition?.message || "no node can run the pod" };
  }
  return undefined;
}
