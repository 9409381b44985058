// Why a preview is not ready, in the terms a developer acts on: which Deployment, which pod and
// container, and the reason (ImagePullBackOff, CrashLoopBackOff with the container's last log lines,
// a failing readiness probe, a pod the quota refused). Reading a pod is pure; watching is I/O.
import { AppsV1Api, CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod, Watch } from "@kubernetes/client-node";

export interface NotReadyDiagnosis {
  /** The Deployment (or other owner) whose pods are not ready; the pod name when it has no owner. */
  workload: string;
  pod?: string;
  container?: string;
  reason: string;
  message: string;
  /** The container's last log lines (CrashLoopBackOff, failed readiness). */
  lastLogLines?: string[];
}

/** Waiting reasons that will not fix themselves: stop waiting and report at once. */
export const HOPELESS_WAITING_REASONS = new Set([
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CrashLoopBackOff",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

/** The owning workload's name from the pod's labels and owner: `<deploy>-<hash>-xxxxx` → `<deploy>`. */
export function workloadOf(pod: V1Pod): string {
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  if (!owner) return `pod/${pod.metadata?.name}`;
  const hash = pod.metadata?.labels?.["pod-template-hash"];
  if (owner.kind === "ReplicaSet" && hash && owner.name.endsWith(`-${hash}`)) {
    return `deployment/${owner.name.slice(0, -hash.length - 1)}`;
  }
  return `${owner.kind.toLowerCase()}/${owner.name}`;
}

/** A pod's hopeless state, if it has one (pure). */
export function hopelessPodState(pod: V1Pod): NotReadyDiagnosis | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const base = { workload: workloadOf(pod), pod: pod.metadata?.name };
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
  );
  if (unschedulable) return { ...base, reason: "Unschedulable", message: unschedulable.message ?? "" };
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && HOPELESS_WAITING_REASONS.has(waiting.reason)) {
      const last = status.lastState?.terminated;
      const message =
        waiting.reason === "CrashLoopBackOff" && last
          ? `container exited with code ${last.exitCode}${last.reason ? ` (${last.reason})` : ""}, restarted ${status.restartCount} times`
          : (waiting.message ?? "");
      return { ...base, container: status.name, reason: waiting.reason, message };
    }
  }
  return undefined;
}

async function lastLogLines(core: CoreV1Api, diagnosis: NotReadyDiagnosis, namespace: string): Promise<string[]> {
  if (!diagnosis.pod || !diagnosis.container) return [];
  const read = (previous: boolean) =>
    core.readNamespacedPodLog({
      name: diagnosis.pod as string,
      namespace,
      container: diagnosis.container,
      tailLines: 20,
      previous,
    });
  const text = await read(true).catch(() => read(false).catch(() => ""));
  return String(text ?? "")
    .split("\n")
    .filter((line) => line !== "");
}

async function withLogs(core: CoreV1Api, diagnosis: NotReadyDiagnosis, namespace: string): Promise<NotReadyDiagnosis> {
  if (diagnosis.reason !== "CrashLoopBackOff" && diagnosis.reason !== "ReadinessProbeFailed") return diagnosis;
  const lines = await lastLogLines(core, diagnosis, namespace);
  return lines.length > 0 ? { ...diagnosis, lastLogLines: lines } : diagnosis;
}

/**
 * A ReplicaSet's refused pod create (quota, LimitRange, admission) from its `FailedCreate` Event
 * (pure): `deployment/<name>` when the ReplicaSet is a Deployment's `<name>-<hash>`.
 */
export function failedCreateDiagnosis(event: CoreV1Event): NotReadyDiagnosis | undefined {
  if (event.reason !== "FailedCreate" || event.involvedObject?.kind !== "ReplicaSet") return undefined;
  const rs = event.involvedObject.name ?? "";
  const deployment = rs.replace(/-[a-z0-9]+$/, "");
  return {
    workload: deployment !== rs ? `deployment/${deployment}` : `replicaset/${rs}`,
    reason: "FailedCreate",
    message: (event.message ?? "").replace(/^Error creating: /, ""),
  };
}

/** What the kubelet's prober writes for each failed readiness probe (reason Unhealthy). */
const READINESS_FAILED = "Readiness probe failed";

/**
 * A readiness probe that failed as often as the pod's own spec says means failed (pure): the pod runs,
 * the container is not ready, and the kubelet's `Unhealthy` "Readiness probe failed: ..." Event about
 * it has counted at least the probe's failureThreshold (default 3) failures. The kubelet records one
 * such Event per failed probe (repeats raise its count), so this is known the moment the last one is.
 * https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
 */
export function readinessProbeFailure(pod: V1Pod, event: CoreV1Event): NotReadyDiagnosis | undefined {
  if (event.reason !== "Unhealthy" || !event.message?.includes(READINESS_FAILED)) return undefined;
  if (pod.metadata?.deletionTimestamp || pod.status?.phase !== "Running") return undefined;
  if (
    event.involvedObject?.uid
      ? event.involvedObject.uid !== pod.metadata?.uid
      : event.involvedObject?.name !== pod.metadata?.name
  )
    return undefined;
  const named = /^spec\.containers\{(.+)\}$/.exec(event.involvedObject?.fieldPath ?? "")?.[1];
  const status = pod.status?.containerStatuses?.find((s) => (named ? s.name === named : !s.ready));
  if (!status || status.ready || !status.state?.running) return undefined;
  const spec = pod.spec?.containers?.find((c) => c.name === status.name);
  const threshold = spec?.readinessProbe?.failureThreshold ?? 3;
  const count = event.series?.count ?? event.count ?? 1;
  if (count < threshold) return undefined;
  const output = event.message.slice(event.message.indexOf(READINESS_FAILED));
  return {
    workload: workloadOf(pod),
    ...(pod.metadata?.name ? { pod: pod.metadata.name } : {}),
    container: status.name,
    reason: "ReadinessProbeFailed",
    message: `${output} (${count} times in a row, failureThreshold ${threshold})`,
  };
}

/**
 * Watches the preview namespace's pods, and its Events for pods a ReplicaSet could not create and for
 * failed readiness probes, and resolves with the first hopeless state the cluster reports (as soon as
 * the watch event arrives), or never; abort the signal to stop. Events older than the call (a kept
 * preview's last run) are ignored.
 */
export function watchForHopelessPods(
  kubeConfig: KubeConfig,
  namespace: string,
  signal: AbortSignal,
): Promise<NotReadyDiagnosis> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  // Event times are whole seconds.
  const since = Math.floor(Date.now() / 1000) * 1000;
  return new Promise((resolve) => {
    let done = false;
    const report = (found: NotReadyDiagnosis) => {
      if (done) return;
      done = true;
      void withLogs(core, found, namespace).then(resolve);
    };
    const eventTime = (e: CoreV1Event) =>
      Date.parse(String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? ""));
    // Pods and their latest readiness-probe Event, by pod name: either may arrive first.
    const pods = new Map<string, V1Pod>();
    const probeEvents = new Map<string, CoreV1Event>();
    const checkReadiness = (name: string) => {
      const pod = pods.get(name);
      const event = probeEvents.get(name);
      const found = pod && event ? readinessProbeFailure(pod, event) : undefined;
      if (found) report(found);
    };
    const onPod = (type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? "";
      if (type === "DELETED") {
        pods.delete(name);
        return;
      }
      pods.set(name, pod);
      const found = hopelessPodState(pod);
      if (found) report(found);
      else checkReadiness(name);
    };
    const onEvent = (type: string, event: CoreV1Event) => {
      if (type === "DELETED" || !(eventTime(event) >= since)) return;
      const found = failedCreateDiagnosis(event);
      if (found) return report(found);
      if (event.involvedObject?.kind === "Pod" && event.reason === "Unhealthy") {
        probeEvents.set(event.involvedObject.name ?? "", event);
        checkReadiness(event.involvedObject.name ?? "");
      }
    };
    watchNamespaced(kubeConfig, `/api/v1/namespaces/${namespace}/pods`, onPod, signal, () => done);
    watchNamespaced(kubeConfig, `/api/v1/namespaces/${namespace}/events`, onEvent, signal, () => done);
  });
}

/** One watch that starts again when it drops (it lists the current objects first), until stopped. */
function watchNamespaced<T>(
  kubeConfig: KubeConfig,
  path: string,
  onChange: (type: string, object: T) => void,
  signal: AbortSignal,
  done: () => boolean,
): void {
  const start = () => {
    if (signal.aborted || done()) return;
    new Watch(kubeConfig)
      .watch(
        path,
        {},
        (type, object: T) => {
          if (!done()) onChange(type, object);
        },
        () => {
          if (!done() && !signal.aborted) setImmediate(start);
        },
      )
      .then(
        (controller) => {
          if (signal.aborted || done()) controller.abort();
          else signal.addEventListener("abort", () => controller.abort(), { once: true });
        },
        () => {
          if (!done() && !signal.aborted) setTimeout(start, 500);
        },
      );
  };
  start();
}

/** After a timeout: every Deployment that is not fully available, and why, from its pods and events. */
export async function diagnoseNotReady(kubeConfig: KubeConfig, namespace: string): Promise<NotReadyDiagnosis[]> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const [deployments, pods, events] = await Promise.all([
    apps.listNamespacedDeployment({ namespace }),
    core.listNamespacedPod({ namespace }),
    core.listNamespacedEvent({ namespace }),
  ]);
  const out: NotReadyDiagnosis[] = [];
  for (const deployment of deployments.items) {
    const name = deployment.metadata?.name as string;
    const wanted = deployment.spec?.replicas ?? 1;
    if ((deployment.status?.availableReplicas ?? 0) >= wanted) continue;
    const workload = `deployment/${name}`;
    const own = pods.items.filter((p) => workloadOf(p) === workload);
    const hopeless = own.map(hopelessPodState).find((d) => d !== undefined);
    if (hopeless) {
      out.push(await withLogs(core, hopeless, namespace));
      continue;
    }
    const notReady = own.find((p) => p.status?.phase === "Running");
    if (notReady) {
      const probe = events.items
        .filter((e) => e.involvedObject?.name === notReady.metadata?.name && e.reason === "Unhealthy")
        .pop();
      const container = notReady.status?.containerStatuses?.find((s) => !s.ready)?.name;
      out.push(
        await withLogs(
          core,
          {
            workload,
            pod: notReady.metadata?.name,
            container,
            reason: "ReadinessProbeFailed",
            message: probe?.message ?? "the container runs but its readiness probe has not passed",
          },
          namespace,
        ),
      );
      continue;
    }
    // No pods at all: the ReplicaSet could not create them (quota, LimitRange, admission).
    const failedCreate = events.items
      .map(failedCreateDiagnosis)
      .filter((d) => d?.workload === workload)
      .pop();
    const replicaFailure = deployment.status?.conditions?.find((c) => c.type === "ReplicaFailure");
    out.push({
      workload,
      reason: failedCreate || replicaFailure ? "FailedCreate" : "NotAvailable",
      message:
        failedCreate?.message ??
        replicaFailure?.message ??
        `${deployment.status?.availableReplicas ?? 0} of ${wanted} replicas available`,
    });
  }
  return out;
}
