// Creates a run's objects so that a re-run for the same PR and SHA never fails on AlreadyExists:
// the Job comes first, suspended, so the others can carry an ownerReference to it (Kubernetes then
// garbage-collects them with the Job) and the pod cannot start before its Secret and
// ServiceAccount exist; the others are then created all at once. Leftovers of a finished or
// abandoned earlier run are deleted and made anew; a Job of the same name that is still running is
// reused as it is. Every object carries this run's id, so a create that succeeded on the server but
// timed out here is recognised as our own.
// https://kubernetes.io/docs/concepts/architecture/garbage-collection/#owners-dependents
import type { KubernetesObject, V1Job } from "@kubernetes/client-node";
import { apiStatusOf, httpStatusOf } from "./api-retry.ts";
import type { RunCluster, RunObjectKind } from "./run-cluster.ts";
import { RunnerError } from "./runner-error.ts";
import { waitForJobGone } from "./wait-for-deletion.ts";

/** Annotation holding the id of the runPrPod call that created an object. */
export const RUN_ID_ANNOTATION = "pr-pod.dev/run-id";

export interface CreatedObject {
  kind: RunObjectKind;
  name: string;
  namespace: string;
}

export interface RunObjectsPlan {
  job: V1Job;
  /** Created after the Job, owned by it, all at once (reported in this order). */
  dependents: Array<{ kind: Exclude<RunObjectKind, "Job">; object: KubernetesObject }>;
}

export interface CreateRunObjectsOptions {
  namespace: string;
  runId: string;
  signal?: AbortSignal;
  /** Called right after each object exists (created, or replaced). */
  onCreated?: (object: CreatedObject) => void;
  /** Called when an earlier run's object was found and deleted first. */
  onReplaced?: (object: CreatedObject) => void;
}

export interface CreatedRunObjects {
  job: V1Job;
  /** True when a running Job of the same name was found and is followed instead of a new one. */
  reused: boolean;
  created: CreatedObject[];
}

const REPLACE_ATTEMPTS = 5;

function withRunId<T extends KubernetesObject>(object: T, runId: string): T {
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, [RUN_ID_ANNOTATION]: runId } },
  };
}

function isFinished(job: V1Job): boolean {
  return (job.status?.conditions ?? []).some(
    (condition) => ["Complete", "Failed", "FailureTarget"].includes(condition.type) && condition.status === "True",
  );
}

/** Running (or about to): not suspended, not finished, not being deleted. */
function isLive(job: V1Job): boolean {
  return !job.spec?.suspend && !isFinished(job) && !job.metadata?.deletionTimestamp;
}

export async function createRunObjects(
  cluster: RunCluster,
  plan: RunObjectsPlan,
  options: CreateRunObjectsOptions,
): Promise<CreatedRunObjects> {
  const { namespace, runId } = options;
  const created: CreatedObject[] = [];
  const jobName = plan.job.metadata?.name ?? "";
  const jobBody = withRunId<V1Job>({ ...plan.job, spec: { ...plan.job.spec!, suspend: true } }, runId);

  const jobResult = await createOrReplace(cluster, "Job", jobBody, options, (existing) => {
    const job = existing as V1Job;
    if (existing.metadata?.annotations?.[RUN_ID_ANNOTATION] === runId) return "ours";
    return isLive(job) ? "reuse" : "replace";
  });
  const job = jobResult.object as V1Job;
  if (jobResult.outcome === "reused") return { job, reused: true, created };
  const jobRef = { kind: "Job" as const, name: jobName, namespace };
  created.push(jobRef);
  options.onCreated?.(jobRef);

  const owner = {
    apiVersion: "batch/v1",
    kind: "Job",
    name: jobName,
    uid: job.metadata?.uid ?? "",
    controller: false,
    blockOwnerDeletion: false,
  };
  // The dependents need only the Job, not each other (a RoleBinding may name its Role before it
  // exists), so they are created at once: one round trip instead of one each. Every create is let
  // finish before anything is reported or thrown, so none is still in flight when a failed run
  // deletes the Job; they are reported in the plan's order, and the first failure is thrown.
  const outcomes = await Promise.allSettled(
    plan.dependents.map(async (dependent) => {
      const body = withRunId(
        { ...dependent.object, metadata: { ...dependent.object.metadata, namespace, ownerReferences: [owner] } },
        runId,
      );
      await createOrReplace(cluster, dependent.kind, body, options, (existing) =>
        (existing.metadata?.ownerReferences ?? []).some((reference) => reference.uid === owner.uid)
          ? "ours"
          : "replace",
      );
      return { kind: dependent.kind, name: body.metadata?.name ?? "", namespace };
    }),
  );
  for (const outcome of outcomes) {
    if (outcome.status !== "fulfilled") continue;
    created.push(outcome.value);
    options.onCreated?.(outcome.value);
  }
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return { job, reused: false, created };
}

type ExistingVerdict = "ours" | "reuse" | "replace";

async function createOrReplace(
  cluster: RunCluster,
  kind: RunObjectKind,
  body: KubernetesObject,
  options: CreateRunObjectsOptions,
  judge: (existing: KubernetesObject) => ExistingVerdict,
): Promise<{ object: KubernetesObject; outcome: "created" | "reused" }> {
  const { namespace, signal } = options;
  const name = body.metadata?.name ?? "";
  const client = cluster.kinds[kind];
  for (let attempt = 1; ; attempt++) {
    try {
      const object = await cluster.call(`create ${kind} ${namespace}/${name}`, signal, (s) =>
        client.create(namespace, body, s),
      );
      return { object, outcome: "created" };
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404 && isMissingNamespace(error)) {
        throw new RunnerError(
          "NAMESPACE_NOT_FOUND",
          `namespace "${namespace}" does not exist (nothing was created): create it (kubectl create namespace ${namespace}), pass createNamespace / --create-namespace, or pick another namespace`,
          { cause: error },
        );
      }
      if (status !== 409) throw apiError(error, `create ${kind} ${namespace}/${name}`);
      if (attempt >= REPLACE_ATTEMPTS) {
        throw new RunnerError(
          "API_ERROR",
          `${kind} ${namespace}/${name} still exists after deleting it ${REPLACE_ATTEMPTS - 1} times (a finalizer holds it?): check it with kubectl get ${kind.toLowerCase()} ${name} -n ${namespace} -o yaml`,
          { cause: error },
        );
      }
    }
    // AlreadyExists: whose is it?
    let existing: KubernetesObject | undefined;
    try {
      existing = await cluster.call(`read ${kind} ${namespace}/${name}`, signal, (s) =>
        client.read(namespace, name, s),
      );
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw apiError(error, `read ${kind} ${namespace}/${name}`);
    }
    if (!existing) continue; // deleted meanwhile: create again
    const verdict = judge(existing);
    if (verdict === "ours") return { object: existing, outcome: "created" };
    if (verdict === "reuse") return { object: existing, outcome: "reused" };
    if (!existing.metadata?.deletionTimestamp) {
      try {
        const answer = await cluster.call(`delete the earlier run's ${kind} ${namespace}/${name}`, signal, (s) =>
          client.remove(namespace, name, s),
        );
        options.onReplaced?.({ kind, name, namespace });
        // A Job is deleted in the foreground: it stays until its pods are gone, so wait for that.
        if (kind === "Job") {
          const resourceVersion = (answer as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          await waitForJobGone(cluster, { namespace, name, resourceVersion, signal });
        }
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw apiError(error, `delete ${kind} ${namespace}/${name}`);
      }
    } else if (kind === "Job") {
      await waitForJobGone(cluster, { namespace, name, signal });
    } else {
      // Being deleted already (finalizers): give it a moment before creating again.
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

function isMissingNamespace(error: unknown): boolean {
  const status = apiStatusOf(error);
  return status.details?.kind === "namespaces" || /namespaces? "[^"]*" not found/.test(status.message ?? "");
}

/** A RunnerError for a refused request, keeping the server's words. */
export function apiError(error: unknown, what: string): unknown {
  if (error instanceof RunnerError) return error;
  const status = httpStatusOf(error);
  if (status === undefined) return error;
  const message = apiStatusOf(error).message ?? `HTTP ${status}`;
  if (status === 401)
    return new RunnerError(
      "UNAUTHORIZED",
      `cannot ${what}: the API server rejected your credentials (401): log in again or pick another kubeconfig context`,
      { cause: error },
    );
  if (status === 403)
    return new RunnerError("FORBIDDEN", `cannot ${what}: ${message}. Ask a cluster admin for this permission.`, {
      cause: error,
    });
  return new RunnerError("API_ERROR", `cannot ${what}: the API server answered ${status}: ${message}`, {
    cause: error,
  });
}
