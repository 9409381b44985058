// The seam between the kubelet and what runs containers. The kubelet owns pod status; a runtime
// only reports what its containers do through PodControl.
import type { Json, KubeObject } from "../json.ts";

export interface ContainerExit {
  exitCode: number;
  /** Defaults to "Completed" for 0, otherwise "Error". Use "OOMKilled", "DeadlineExceeded"... */
  reason?: string;
  /** The termination message (what the container wrote to terminationMessagePath). */
  message?: string;
  signal?: number;
  startedAt?: Date;
  finishedAt?: Date;
}

/** What a runtime may do to one pod. Every call updates the pod's status in the API at once. */
export interface PodControl {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The pod as last stored. */
  pod(): KubeObject;
  /** Names of init containers and containers, in spec order. */
  containers(): { init: string[]; regular: string[] };
  /** True once the pod is being deleted (or was removed). */
  readonly stopping: boolean;
  /** Keeps the pod Pending with PodScheduled=False/Unschedulable (only before it is scheduled). */
  setUnschedulable(message: string): void;
  setWaiting(container: string, reason: string, message?: string): void;
  startContainer(container: string, options?: { startedAt?: Date; ready?: boolean }): void;
  setReady(container: string, ready: boolean): void;
  /**
   * One failed readiness probe, as the kubelet shows it: the container (started if it was not) is not
   * ready, so the pod's Ready condition is False (ContainersNotReady), and a Warning `Unhealthy` Event
   * "Readiness probe failed: <output>" on the container is recorded, or its count raised on a repeat.
   */
  failReadinessProbe(container: string, output: string): void;
  appendLog(container: string, text: string, stream?: "stdout" | "stderr", time?: Date): void;
  terminateContainer(container: string, exit: ContainerExit): void;
  getSecret(name: string): Json | undefined;
  getConfigMap(name: string): Json | undefined;
}

export interface ContainerRuntime {
  readonly kind: "scripted" | "host";
  /** A new pod reached the node, before scheduling: the runtime may call setUnschedulable now. */
  podAdmitted(pod: PodControl): void;
  /** The container's turn to run came (its config resolved): run it, or let the test drive it. */
  runContainer(pod: PodControl, container: string): void;
  /** Stop the pod's running containers (deletion, deadline); resolves once they are stopped. */
  killPod(pod: PodControl): Promise<void>;
  close(): Promise<void>;
}
