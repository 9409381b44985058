// Waits for a Job's outcome through two watches (the Job, and its pods), never by polling.
// Each watch survives drops and 410 Gone (see resilient-watch.ts); the judgement itself is pure
// (job-outcome.ts). Pods are matched to the Job by owner uid, so a previous Job of the same name
// that is still being garbage-collected cannot lend its pod's verdict to this one.
import type { KubeConfig, V1Job, V1Pod } from "@kubernetes/client-node";
import { abortableDelay } from "./backoff.ts";
import { currentPod, isUnschedulable, type JobResult, judgeJobOutcome, mainContainerStatus } from "./job-outcome.ts";
import { watchJob, watchJobPods } from "./job-watches.ts";
import { keepAliveKubeConfig } from "./keep-alive-kube-config.ts";

export interface WaitForJobResultOptions {
  namespace: string;
  jobName: string;
  /** Stops waiting; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long the pod may stay Unschedulable before the result is "failed". Default 60 000 ms. */
  unschedulableGraceMs?: number;
  /** The container that counts for exit code and message. Default the pod's first container. */
  containerName?: string;
  /** Applied to every message and termination message before it is returned. */
  redact?: (text: string) => string;
  /** Called on every change of one of the Job's pods (scheduling, container states...). */
  onPod?: (pod: V1Pod) => void;
  /** After the Job's verdict, how long to wait for its pod's final state (exit code, message). Default 5000 ms. */
  podStatusGraceMs?: number;
  /**
   * The Job as the caller created or last changed it. The watch then starts from it, and the Job
   * missing (deleted from outside, even before the watch was set up) or replaced by another of the
   * same name ends the wait as failed with reason JobDeleted instead of waiting for it to appear.
   */
  job?: V1Job;
}

/** Resolves with succeeded/failed and why, as soon as the outcome is certain. */
export async function waitForJobResult(
  givenKubeConfig: KubeConfig,
  options: WaitForJobResultOptions,
): Promise<JobResult> {
  const kubeConfig = keepAliveKubeConfig(givenKubeConfig);
  const { namespace, jobName } = options;
  const outerSignal = options.signal ?? new AbortController().signal;
  outerSignal.throwIfAborted();
  const stop = new AbortController();
  const signal = AbortSignal.any([outerSignal, stop.signal]);
  const redact = options.redact ?? ((text: string) => text);
  const graceMs = options.unschedulableGraceMs ?? 60_000;

  let job: V1Job | undefined;
  let jobSeen = false;
  const knownUid = options.job?.metadata?.uid;
  let pods: ReadonlyMap<string, V1Pod> = new Map();
  let unschedulableSeenAt: number | undefined;
  let unschedulableTimer: NodeJS.Timeout | undefined;
  let verdict: JobResult | undefined;
  let settle!: (result: JobResult) => void;
  let fail!: (error: unknown) => void;
  const settled = new Promise<JobResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  let podChanged: () => void = () => {};
  const reported = new Map<string, string | undefined>();

  const ownPods = (): V1Pod[] => {
    const uid = job?.metadata?.uid;
    if (!uid) return [];
    return [...pods.values()].filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.uid === uid));
  };

  const reportPods = () => {
    if (!options.onPod) return;
    for (const pod of ownPods()) {
      const key = pod.metadata?.uid ?? "";
      if (reported.get(key) === pod.metadata?.resourceVersion) continue;
      reported.set(key, pod.metadata?.resourceVersion);
      options.onPod(pod);
    }
  };

  const evaluate = () => {
    if (verdict || signal.aborted) return;
    const mine = ownPods();
    if (isUnschedulable(currentPod(mine))) {
      if (unschedulableSeenAt === undefined) {
        unschedulableSeenAt = Date.now();
        unschedulableTimer = setTimeout(evaluate, graceMs + 1);
      }
    } else {
      unschedulableSeenAt = undefined;
      clearTimeout(unschedulableTimer);
    }
    let result = judgeJobOutcome(job, mine, {
      containerName: options.containerName,
      unschedulableGraceMs: graceMs,
      unschedulableSeenAt,
      now: Date.now(),
    });
    if (!result && jobSeen && !job) {
      result = {
        status: "failed",
        reason: "JobDeleted",
        message: `Job ${namespace}/${jobName} was deleted before it finished`,
      };
    }
    if (result) {
      verdict = result;
      void finish();
    }
  };

  // The Job's verdict can arrive before the pod's final status (two watches, no order between them).
  const finish = async () => {
    const deadline = abortableDelay(options.podStatusGraceMs ?? 5000, signal);
    let timedOut = false;
    void deadline.then(() => {
      timedOut = true;
      podChanged();
    });
    while (!timedOut && !signal.aborted && needsPodFinalState()) {
      await new Promise<void>((resolve) => {
        podChanged = resolve;
      });
    }
    const mine = ownPods();
    const refreshed = judgeJobOutcome(job, mine, {
      containerName: options.containerName,
      unschedulableGraceMs: graceMs,
      unschedulableSeenAt,
      now: Date.now(),
    });
    const result = { ...(refreshed ?? verdict)! };
    result.message = redact(result.message);
    if (result.terminationMessage !== undefined) result.terminationMessage = redact(result.terminationMessage);
    settle(result);
  };

  // After the Job's own verdict, its pod's final state is worth a short wait: the pod watch may simply
  // not have delivered it yet (or the pod at all). A container that never started has nothing to add,
  // unless the Job says Complete: then it ran, and a pod still seen waiting is an old version of it (a
  // pod that starts and ends within moments of being created can beat its own watch events).
  const needsPodFinalState = () => {
    if (!verdict || verdict.exitCode !== undefined) return false;
    const conditions = job?.status?.conditions ?? [];
    const fromJob = conditions.some(
      (c) => ["Complete", "Failed", "FailureTarget"].includes(c.type) && c.status === "True",
    );
    if (!fromJob) return false;
    const pod = currentPod(ownPods());
    if (!pod) return true;
    const state = mainContainerStatus(pod, options.containerName)?.state;
    const complete = conditions.some((c) => c.type === "Complete" && c.status === "True");
    if (complete && state?.terminated === undefined) return true;
    return state?.running !== undefined || (state === undefined && pod.status?.phase !== "Pending");
  };

  const jobWatch = watchJob(
    kubeConfig,
    { namespace, jobName, signal, ...(options.job ? { job: options.job } : {}) },
    (current) => {
      // Another Job of the same name is not ours: ours is gone.
      job = knownUid && current?.metadata?.uid !== knownUid ? undefined : current;
      if (knownUid) jobSeen = true;
      if (job) jobSeen = true;
      reportPods();
      evaluate();
    },
  );
  const podWatch = watchJobPods(kubeConfig, { namespace, jobName, signal }, (current) => {
    pods = current;
    reportPods();
    evaluate();
    podChanged();
  });
  for (const watch of [jobWatch, podWatch]) watch.catch((error) => fail(error));
  const onAbort = () => fail(outerSignal.reason);
  outerSignal.addEventListener("abort", onAbort, { once: true });

  try {
    return await settled;
  } finally {
    outerSignal.removeEventListener("abort", onAbort);
    clearTimeout(unschedulableTimer);
    stop.abort();
    await Promise.allSettled([jobWatch, podWatch]);
  }
}
