// Pure: a pod's status (phase, conditions, container statuses) from its containers' states, with
// the kubelet's rules for phase and readiness.
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
import type { Json, KubeObject } from "../json.ts";
import { kubeTime } from "../json.ts";

export interface ContainerState {
  name: string;
  image: string;
  init: boolean;
  state: Json;
  lastState: Json;
  restartCount: number;
  ready: boolean;
  started: boolean;
  containerID?: string;
}

export interface PodRuntimeState {
  scheduled: boolean;
  unschedulableMessage?: string;
  scheduledAt?: string;
  startTime?: string;
  podIP: string;
  containers: ContainerState[];
  /** Set when the kubelet itself failed the pod (activeDeadlineSeconds). */
  failure?: { reason: string; message: string };
}

export function podPhase(pod: KubeObject, s: PodRuntimeState): string {
  if (s.failure) return "Failed";
  if (!s.scheduled) return "Pending";
  const restartPolicy = pod.spec?.restartPolicy ?? "Always";
  const inits = s.containers.filter((c) => c.init);
  const regular = s.containers.filter((c) => !c.init);
  const exitOf = (c: ContainerState) => c.state.terminated?.exitCode as number | undefined;
  if (inits.some((c) => exitOf(c) !== undefined && exitOf(c) !== 0) && restartPolicy === "Never") return "Failed";
  if (!inits.every((c) => exitOf(c) === 0)) return "Pending";
  const terminated = regular.filter((c) => c.state.terminated);
  if (terminated.length === regular.length && regular.length > 0) {
    if (regular.every((c) => exitOf(c) === 0)) return "Succeeded";
    if (restartPolicy === "Never") return "Failed";
  }
  if (regular.some((c) => c.state.running || c.state.terminated || c.restartCount > 0)) return "Running";
  return "Pending";
}

function containerStatus(c: ContainerState): Json {
  const status: Json = {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.containerID ? `docker.io/library/${c.image.split(":")[0]}@sha256:${"0".repeat(64)}` : "",
    started: c.started,
  };
  if (c.containerID) status.containerID = c.containerID;
  return status;
}

export function buildPodStatus(pod: KubeObject, s: PodRuntimeState, previous: Json): Json {
  const phase = podPhase(pod, s);
  const old: Json[] = previous?.conditions ?? [];
  const now = kubeTime();
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Json => {
    const before = old.find((c) => c.type === type);
    const status = ok ? "True" : "False";
    const out: Json = {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    };
    if (reason) out.reason = reason;
    if (message) out.message = message;
    return out;
  };
  if (!s.scheduled) {
    const status: Json = { phase: "Pending", qosClass: previous?.qosClass ?? "BestEffort" };
    if (s.unschedulableMessage)
      status.conditions = [cond("PodScheduled", false, "Unschedulable", s.unschedulableMessage)];
    return status;
  }
  const inits = s.containers.filter((c) => c.init);
  const regular = s.containers.filter((c) => !c.init);
  const initsDone = inits.every((c) => c.state.terminated?.exitCode === 0);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const unready = regular.filter((c) => !c.ready).map((c) => c.name);
  const containersReady = unready.length === 0 && !terminal;
  const unreadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
  const unreadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  const conditions = [
    cond("PodReadyToStartContainers", !terminal || regular.some((c) => c.state.running)),
    cond(
      "Initialized",
      initsDone,
      initsDone ? (terminal && inits.length > 0 ? "PodCompleted" : undefined) : "ContainersNotInitialized",
      initsDone
        ? undefined
        : `containers with incomplete status: [${inits
            .filter((c) => c.state.terminated?.exitCode !== 0)
            .map((c) => c.name)
            .join(" ")}]`,
    ),
    cond(
      "Ready",
      containersReady,
      containersReady ? undefined : unreadyReason,
      containersReady ? undefined : unreadyMessage,
    ),
    cond(
      "ContainersReady",
      containersReady,
      containersReady ? undefined : unreadyReason,
      containersReady ? undefined : unreadyMessage,
    ),
    cond("PodScheduled", true),
  ];
  const status: Json = {
    phase,
    conditions,
    hostIP: "10.0.0.10",
    hostIPs: [{ ip: "10.0.0.10" }],
    podIP: s.podIP,
    podIPs: [{ ip: s.podIP }],
    startTime: s.startTime,
    qosClass: previous?.qosClass ?? "BestEffort",
  };
  if (s.failure) {
    status.reason = s.failure.reason;
    status.message = s.failure.message;
  }
  if (inits.length > 0) status.initContainerStatuses = inits.map(containerStatus);
  status.containerStatuses = regular.map(containerStatus);
  return status;
}
