// The two watches both followJobLogs and waitForJobResult keep: the Job itself (by name) and its
// pods (by the job-name label the job controller sets). Each survives drops and 410 Gone.
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { runResilientWatch } from "./resilient-watch.ts";

export interface JobWatchTarget {
  namespace: string;
  jobName: string;
  signal: AbortSignal;
  /** The Job as the caller last saw it: the Job watch starts at its resourceVersion (see runResilientWatch's `from`). */
  job?: V1Job;
}

/** Calls `onChange` with the Job (undefined until it exists, or once it is gone) after every change. */
export function watchJob(
  kubeConfig: KubeConfig,
  { namespace, jobName, signal, job }: JobWatchTarget,
  onChange: (job: V1Job | undefined) => void,
): Promise<void> {
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const fieldSelector = `metadata.name=${jobName}`;
  return runResilientWatch<V1Job>(kubeConfig, {
    path: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
    fieldSelector,
    list: async () => {
      const list = await batch.listNamespacedJob({ namespace, fieldSelector });
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    },
    signal,
    ...(job ? { from: { items: [job], resourceVersion: job.metadata?.resourceVersion } } : {}),
    onChange: (jobs) => onChange([...jobs.values()].find((candidate) => candidate.metadata?.name === jobName)),
  });
}

/** Calls `onChange` with every pod labelled for the Job (keyed by uid) after every change. */
export function watchJobPods(
  kubeConfig: KubeConfig,
  { namespace, jobName, signal }: JobWatchTarget,
  onChange: (pods: ReadonlyMap<string, V1Pod>) => void,
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const labelSelector = `job-name=${jobName}`;
  return runResilientWatch<V1Pod>(kubeConfig, {
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    labelSelector,
    list: async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector });
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion };
    },
    signal,
    onChange,
  });
}
