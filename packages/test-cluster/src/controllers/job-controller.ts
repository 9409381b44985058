// The Job controller: creates a Job's pods, counts their outcomes, retries up to backoffLimit,
// enforces activeDeadlineSeconds, and writes status and conditions as Kubernetes 1.35 does
// (SuccessCriteriaMet then Complete; FailureTarget then Failed, once no pod is left running).
// https://kubernetes.io/docs/concepts/workloads/controllers/job/

import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType } from "../api/resource-types.ts";
import { StatusError } from "../api/status-error.ts";
import type { Json, KubeObject } from "../json.ts";
import { canonicalJson, kubeTime, sameJson } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

const jobs = mustResourceType("batch", "jobs");
const pods = mustResourceType("", "pods");

export interface JobControllerOptions {
  /** Delay before a failed pod is replaced; the real controller waits 10s, doubling (default 0 here). */
  podRetryDelayMs: number;
  /**
   * Delay before creating a pod again after the API refused one; a change to the Job (its spec, labels
   * or annotations) retries at once, as the real controller syncs a Job on every update.
   */
  podCreateRetryDelayMs: number;
}

interface JobMemory {
  succeeded: Set<string>;
  failed: Set<string>;
  active: Set<string>;
  lastFailureAt?: number;
  /** When a pod create was last refused, and the Job as it was then (spec, labels, annotations). */
  createRefused?: { at: number; job: string };
}

const jobShape = (job: KubeObject) =>
  canonicalJson({ spec: job.spec, labels: job.metadata.labels, annotations: job.metadata.annotations });

const condition = (type: string, reason: string, message: string): Json => {
  const now = kubeTime();
  return { type, status: "True", lastProbeTime: now, lastTransitionTime: now, reason, message };
};

const hasCondition = (job: KubeObject, type: string) =>
  (job.status?.conditions ?? []).some((c: Json) => c.type === type && c.status === "True");

const isTerminal = (pod: KubeObject) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

export class JobController {
  private readonly loop: ControllerLoop;
  private readonly memory = new Map<string, JobMemory>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly options: JobControllerOptions,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store, (e) => ["jobs", "pods", "serviceaccounts"].includes(e.resourceType.resource));
  }

  stop(): void {
    this.loop.stop();
  }

  private sync(): void {
    const seen = new Set<string>();
    // Reads the stored objects without copying them (this controller only reads; writes go through
    // the registry), and finds each Job's pods from the store's owner index, so a pass costs the
    // number of Jobs plus their own pods, not Jobs × all pods.
    for (const job of this.store.readList(jobs)) {
      seen.add(job.metadata.uid as string);
      try {
        this.syncJob(job);
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        this.loop.scheduleAfter(100);
      }
    }
    for (const uid of this.memory.keys()) if (!seen.has(uid)) this.memory.delete(uid);
  }

  private syncJob(job: KubeObject): void {
    if (job.metadata.deletionTimestamp) return;
    if (hasCondition(job, "Complete") || hasCondition(job, "Failed")) return;
    const uid = job.metadata.uid as string;
    const memory = this.memory.get(uid) ?? { succeeded: new Set(), failed: new Set(), active: new Set() };
    this.memory.set(uid, memory);
    const owned = this.store
      .readDependents(uid)
      .filter(
        ({ resourceType, object }) =>
          resourceType.group === "" &&
          resourceType.resource === "pods" &&
          object.metadata.namespace === job.metadata.namespace &&
          (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller),
      )
      .map(({ object }) => object);
    const ownedUids = new Set(owned.map((p) => p.metadata.uid as string));

    for (const pod of owned) {
      const podUid = pod.metadata.uid as string;
      if (pod.status?.phase === "Succeeded" && !memory.succeeded.has(podUid)) memory.succeeded.add(podUid);
      if (pod.status?.phase === "Failed" && !memory.failed.has(podUid)) {
        memory.failed.add(podUid);
        memory.lastFailureAt = Date.now();
      }
    }
    // A pod that vanished before finishing (deleted, evicted) counts as failed.
    for (const podUid of memory.active) {
      if (!ownedUids.has(podUid) && !memory.succeeded.has(podUid) && !memory.failed.has(podUid)) {
        memory.failed.add(podUid);
        memory.lastFailureAt = Date.now();
      }
    }
    const active = owned.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = owned.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp);
    memory.active = new Set(active.map((p) => p.metadata.uid as string));

    const spec = job.spec ?? {};
    const status: Json = { ...(job.status ?? {}) };
    const conditions: Json[] = [...(status.conditions ?? [])];
    const now = Date.now();
    const suspended = conditions.findIndex((c) => c.type === "Suspended");
    if (spec.suspend) {
      // Suspending deletes the running pods and stops the clock; nothing new starts until resumed.
      if (suspended < 0 || conditions[suspended].status !== "True") {
        const entry = condition("Suspended", "JobSuspended", "Job suspended");
        if (suspended < 0) conditions.push(entry);
        else conditions[suspended] = entry;
        this.registry.recordEvent(job, jobs, "Normal", "Suspended", "Job suspended", "job-controller");
      }
      for (const pod of active) this.deletePod(job, pod);
      delete status.startTime;
      status.conditions = conditions;
      delete status.active;
      this.registry.writeStatus(jobs, { ...job, status });
      return;
    }
    if (suspended >= 0 && conditions[suspended].status === "True") {
      conditions[suspended] = { ...condition("Suspended", "JobResumed", "Job resumed"), status: "False" };
      this.registry.recordEvent(job, jobs, "Normal", "Resumed", "Job resumed", "job-controller");
    }
    if (!status.startTime) status.startTime = kubeTime();
    const restarts =
      spec.template?.spec?.restartPolicy === "OnFailure"
        ? active.reduce(
            (n, p) =>
              n + (p.status?.containerStatuses ?? []).reduce((m: number, s: Json) => m + (s.restartCount ?? 0), 0),
            0,
          )
        : 0;
    const failedCount = memory.failed.size;
    const succeededCount = memory.succeeded.size;
    const completions = spec.completions ?? 1;

    let failureTarget = conditions.find((c) => c.type === "FailureTarget" && c.status === "True");
    let successTarget = conditions.find((c) => c.type === "SuccessCriteriaMet" && c.status === "True");
    if (!failureTarget && !successTarget) {
      const deadline = spec.activeDeadlineSeconds;
      const started = status.startTime ? Date.parse(status.startTime) : now;
      if (succeededCount >= completions) {
        successTarget = condition(
          "SuccessCriteriaMet",
          "CompletionsReached",
          "Reached expected number of succeeded pods",
        );
        conditions.push(successTarget);
      } else if (failedCount + restarts > (spec.backoffLimit ?? 6)) {
        failureTarget = condition(
          "FailureTarget",
          "BackoffLimitExceeded",
          "Job has reached the specified backoff limit",
        );
        conditions.push(failureTarget);
      } else if (deadline !== undefined && deadline !== null && now - started >= deadline * 1000) {
        failureTarget = condition("FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline");
        conditions.push(failureTarget);
      } else if (deadline !== undefined && deadline !== null) {
        this.loop.scheduleAfter(started + deadline * 1000 - now);
      }
    }

    if (failureTarget || successTarget) {
      for (const pod of active) this.deletePod(job, pod);
      if (active.length === 0 && terminating.length === 0) {
        if (failureTarget) {
          conditions.push(condition("Failed", failureTarget.reason, failureTarget.message));
          this.registry.recordEvent(
            job,
            jobs,
            "Warning",
            failureTarget.reason,
            failureTarget.message,
            "job-controller",
          );
        } else {
          conditions.push(condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
          status.completionTime = kubeTime();
          this.registry.recordEvent(job, jobs, "Normal", "Completed", "Job completed", "job-controller");
        }
      }
    } else {
      const wanted = Math.min(spec.parallelism ?? 1, completions - succeededCount) - active.length - terminating.length;
      const retryAt = (memory.lastFailureAt ?? 0) + this.options.podRetryDelayMs;
      const refused = memory.createRefused;
      const createAgainAt = refused ? refused.at + this.options.podCreateRetryDelayMs : 0;
      if (wanted > 0 && memory.failed.size > 0 && now < retryAt) this.loop.scheduleAfter(retryAt - now);
      else if (wanted > 0 && refused && now < createAgainAt && refused.job === jobShape(job)) {
        this.loop.scheduleAfter(createAgainAt - now);
      } else {
        delete memory.createRefused;
        for (let i = 0; i < wanted; i++) {
          const pod = this.createPod(job);
          if (!pod) {
            memory.createRefused = { at: now, job: jobShape(job) };
            this.loop.scheduleAfter(this.options.podCreateRetryDelayMs);
            break;
          }
          memory.active.add(pod.metadata.uid as string);
          active.push(pod);
        }
      }
    }

    status.active = active.length;
    status.succeeded = succeededCount;
    status.failed = failedCount;
    status.terminating = terminating.length;
    status.ready = active.filter((p) =>
      (p.status?.conditions ?? []).some((c: Json) => c.type === "Ready" && c.status === "True"),
    ).length;
    status.uncountedTerminatedPods = {};
    if (conditions.length > 0) status.conditions = conditions;
    for (const key of ["active", "succeeded", "failed", "terminating"]) if (status[key] === 0) delete status[key];
    // Most passes change nothing for most Jobs: skip the registry's read-and-compare then.
    if (!sameJson(status, job.status)) this.registry.writeStatus(jobs, { ...job, status });
  }

  /** One pod from the template; when refused (say, its service account is missing) records FailedCreate and retries soon. */
  private createPod(job: KubeObject): KubeObject | undefined {
    const template = job.spec.template ?? {};
    let pod: KubeObject;
    try {
      pod = this.registry.create(pods, job.metadata.namespace, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...(template.metadata ?? {}),
          generateName: `${job.metadata.name}-`,
          namespace: job.metadata.namespace,
          ownerReferences: [
            {
              apiVersion: "batch/v1",
              kind: "Job",
              name: job.metadata.name,
              uid: job.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: template.spec,
      });
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      this.registry.recordEvent(
        job,
        jobs,
        "Warning",
        "FailedCreate",
        `Error creating: ${error.message}`,
        "job-controller",
      );
      return undefined;
    }
    this.registry.recordEvent(
      job,
      jobs,
      "Normal",
      "SuccessfulCreate",
      `Created pod: ${pod.metadata.name}`,
      "job-controller",
    );
    return pod;
  }

  private deletePod(job: KubeObject, pod: KubeObject): void {
    try {
      this.registry.delete(pods, pod.metadata.namespace, pod.metadata.name as string, {
        propagationPolicy: "Background",
      });
      this.registry.recordEvent(
        job,
        jobs,
        "Normal",
        "SuccessfulDelete",
        `Deleted pod: ${pod.metadata.name}`,
        "job-controller",
      );
    } catch {
      // Already gone.
    }
  }
}
