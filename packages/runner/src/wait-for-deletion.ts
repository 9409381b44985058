// After a delete the API server answers at once, but the garbage collector removes a Job's pod and
// the objects it owns over the next seconds. pr-pod deletes its Job with Foreground propagation (the
// Job stays, marked for deletion, until its dependents are gone) and waits, bounded, until the Job
// itself is gone, as `kubectl delete --cascade=foreground --wait` does, so "cleaned up" is true when
// it is said. https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion
import { Watch } from "@kubernetes/client-node";
import { httpStatusOf } from "./api-retry.ts";
import type { RunCluster } from "./run-cluster.ts";

/** How long cleanup waits for a deleted Job and its dependents to go before saying so. */
export const DELETION_WAIT_MS = 30_000;

export interface WaitForJobGoneOptions {
  namespace: string;
  name: string;
  /** The resourceVersion the delete answered with: the watch starts there, so no change is missed. */
  resourceVersion?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/**
 * Resolves true once the Job is gone, false if it is still there after `timeoutMs` (or the signal
 * aborted). Watches (no polling); when a watch ends early it reads the Job once and watches again.
 */
export async function waitForJobGone(cluster: RunCluster, options: WaitForJobGoneOptions): Promise<boolean> {
  const { namespace, name } = options;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? DELETION_WAIT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let resourceVersion = options.resourceVersion;
  while (!signal.aborted) {
    if (resourceVersion === undefined) {
      try {
        const job = await cluster.kinds.Job.read(namespace, name, signal);
        resourceVersion = job.metadata?.resourceVersion;
      } catch (error) {
        if (httpStatusOf(error) === 404) return true;
        if (signal.aborted) return false;
        throw error;
      }
    }
    const gone = await watchUntilDeleted(cluster, namespace, name, resourceVersion, signal);
    if (gone) return true;
    resourceVersion = undefined; // the watch ended (dropped, 410 Expired): look again, then watch anew
  }
  return false;
}

function watchUntilDeleted(
  cluster: RunCluster,
  namespace: string,
  name: string,
  resourceVersion: string | undefined,
  signal: AbortSignal,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let request: { abort(): void } | undefined;
    let settled = false;
    const finish = (gone: boolean) => {
      if (settled) return; // aborting the request below ends the watch, which calls finish again
      settled = true;
      signal.removeEventListener("abort", onAbort);
      resolve(gone);
      request?.abort();
    };
    const onAbort = () => finish(false);
    signal.addEventListener("abort", onAbort);
    new Watch(cluster.kubeConfig)
      .watch(
        `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion, allowWatchBookmarks: true },
        (type) => {
          if (type === "DELETED") finish(true);
        },
        () => finish(false),
      )
      .then(
        (started) => {
          request = started;
          if (settled) started.abort();
        },
        () => finish(false),
      );
  });
}
