// The node: schedules every new pod onto "test-node", checks each container's config, hands
// containers to the runtime in the order Kubernetes runs them (init containers one by one, then the
// rest), keeps container states, restarts per restartPolicy, and stops pods being deleted.
import { randomBytes } from "node:crypto";
import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType } from "../api/resource-types.ts";
import { deepCopy, type Json, type KubeObject, kubeTime } from "../json.ts";
import type { ObjectStore, StoreEvent } from "../store/object-store.ts";
import { containerConfigError, type Lookup, volumeMountError } from "./container-config.ts";
import type { ContainerLogs } from "./container-logs.ts";
import type { ContainerExit, ContainerRuntime, PodControl } from "./container-runtime.ts";
import { buildPodStatus, type ContainerState, type PodRuntimeState, podPhase } from "./pod-status.ts";

const pods = mustResourceType("", "pods");
const secrets = mustResourceType("", "secrets");
const configMaps = mustResourceType("", "configmaps");

export const nodeName = "test-node";

export interface KubeletOptions {
  /** Wait before a crashed container (restartPolicy OnFailure/Always) is run again (default 0). */
  restartDelayMs: number;
}

interface PodEntry {
  control: PodControl;
  state: PodRuntimeState;
  /** Containers already handed to the runtime for their current run. */
  launched: Set<string>;
  configBlocked: boolean;
  killing?: Promise<void>;
  removed: boolean;
}

let podIpCounter = 1;

export class Kubelet {
  private readonly entries = new Map<string, PodEntry>();
  private readonly unsubscribe: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly logs: ContainerLogs,
    readonly runtime: ContainerRuntime,
    private readonly options: KubeletOptions,
  ) {
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(
      [...this.entries.values()].map((e) => {
        e.removed = true;
        return this.runtime.killPod(e.control).catch(() => {});
      }),
    );
    await this.runtime.close();
  }

  private lookup(namespace: string): Lookup {
    return (kind, name) => this.store.get(kind === "Secret" ? secrets : configMaps, namespace, name);
  }

  private onEvent(event: StoreEvent): void {
    const t = event.resourceType;
    if (t === secrets || t === configMaps) {
      setImmediate(() => {
        for (const entry of this.entries.values()) {
          if (entry.configBlocked && entry.control.namespace === event.object.metadata.namespace) this.advance(entry);
        }
      });
      return;
    }
    if (t !== pods) return;
    const pod = event.object;
    const uid = pod.metadata.uid as string;
    const entry = this.entries.get(uid);
    if (event.type === "DELETED") {
      if (entry) {
        entry.removed = true;
        this.entries.delete(uid);
        void this.stopPod(entry).then(() => this.logs.forgetPod(uid));
      } else this.logs.forgetPod(uid);
      return;
    }
    if (!entry) {
      if (pod.metadata.deletionTimestamp) return;
      setImmediate(() => this.admit(pod));
      return;
    }
    if (pod.metadata.deletionTimestamp && !entry.killing) {
      entry.killing = this.stopPod(entry).then(() =>
        this.registry.forgetPod(entry.control.namespace, entry.control.name),
      );
    }
  }

  private admit(pod: KubeObject): void {
    const uid = pod.metadata.uid as string;
    if (this.entries.has(uid) || !this.store.get(pods, pod.metadata.namespace, pod.metadata.name as string)) return;
    const containers: ContainerState[] = [
      ...(pod.spec?.initContainers ?? []).map((c: Json) => this.newContainer(c, true)),
      ...(pod.spec?.containers ?? []).map((c: Json) => this.newContainer(c, false)),
    ];
    const entry: PodEntry = {
      state: { scheduled: false, podIP: `10.244.0.${(podIpCounter++ % 250) + 2}`, containers },
      launched: new Set(),
      configBlocked: false,
      removed: false,
      control: undefined as unknown as PodControl,
    };
    entry.control = this.controlFor(entry, pod);
    this.entries.set(uid, entry);
    this.runtime.podAdmitted(entry.control);
    if (entry.removed || entry.state.unschedulableMessage || entry.state.scheduled) return;
    this.schedule(entry);
  }

  private newContainer(spec: Json, init: boolean): ContainerState {
    return {
      name: spec.name,
      image: spec.image,
      init,
      state: { waiting: { reason: init ? "PodInitializing" : "ContainerCreating" } },
      lastState: {},
      restartCount: 0,
      ready: false,
      started: false,
    };
  }

  private schedule(entry: PodEntry): void {
    const current = this.store.get(pods, entry.control.namespace, entry.control.name);
    if (!current || current.metadata.uid !== entry.control.uid) return;
    const bound = deepCopy(current);
    bound.spec.nodeName = nodeName;
    entry.state.scheduled = true;
    entry.state.unschedulableMessage = undefined;
    entry.state.startTime = kubeTime();
    const inits = entry.state.containers.filter((c) => c.init);
    for (const c of entry.state.containers) {
      c.state = { waiting: { reason: c.init || inits.length === 0 ? "ContainerCreating" : "PodInitializing" } };
      if (c.init && c !== inits[0]) c.state = { waiting: { reason: "PodInitializing" } };
    }
    bound.status = buildPodStatus(bound, entry.state, current.status);
    this.store.put(pods, bound);
    const deadline = bound.spec?.activeDeadlineSeconds;
    if (typeof deadline === "number" && deadline > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.failOnDeadline(entry);
      }, deadline * 1000);
      this.timers.add(timer);
    }
    this.registry.recordEvent(
      bound,
      pods,
      "Normal",
      "Scheduled",
      `Successfully assigned ${entry.control.namespace}/${entry.control.name} to ${nodeName}`,
      "default-scheduler",
    );
    this.advance(entry);
  }

  /** Hands the next containers to the runtime, or blocks them on missing config. */
  private advance(entry: PodEntry): void {
    if (entry.removed || !entry.state.scheduled || entry.control.stopping) return;
    const pod = entry.control.pod();
    const lookup = this.lookup(entry.control.namespace);
    const mountError = volumeMountError(pod, lookup);
    if (mountError) {
      if (!entry.configBlocked) this.registry.recordEvent(pod, pods, "Warning", "FailedMount", mountError, "kubelet");
      entry.configBlocked = true;
      return;
    }
    const inits = entry.state.containers.filter((c) => c.init);
    const pendingInit = inits.find((c) => c.state.terminated?.exitCode !== 0);
    const due = pendingInit ? [pendingInit] : entry.state.containers.filter((c) => !c.init);
    let blocked = false;
    for (const c of due) {
      if (entry.launched.has(c.name) || c.state.running || (c.state.terminated && !this.restarts(pod, c))) continue;
      const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
        (s: Json) => s.name === c.name,
      );
      const error = containerConfigError(pod, spec, lookup);
      if (error) {
        blocked = true;
        if (c.state.waiting?.reason !== "CreateContainerConfigError" || c.state.waiting?.message !== error) {
          c.state = { waiting: { reason: "CreateContainerConfigError", message: error } };
          this.writeStatus(entry);
          this.registry.recordEvent(pod, pods, "Warning", "Failed", `Error: ${error}`, "kubelet");
        }
        continue;
      }
      if (c.state.waiting?.reason === "CreateContainerConfigError" || c.state.waiting?.reason === "PodInitializing") {
        c.state = { waiting: { reason: "ContainerCreating" } };
        this.writeStatus(entry);
      }
      entry.launched.add(c.name);
      this.runtime.runContainer(entry.control, c.name);
    }
    entry.configBlocked = blocked;
  }

  private restarts(pod: KubeObject, c: ContainerState): boolean {
    const policy = pod.spec?.restartPolicy ?? "Always";
    const code = c.state.terminated?.exitCode;
    return policy === "Always" ? !c.init || code !== 0 : policy === "OnFailure" && code !== 0;
  }

  private async stopPod(entry: PodEntry): Promise<void> {
    const control = entry.control as PodControl & { markStopping(): void };
    control.markStopping();
    await this.runtime.killPod(entry.control);
    for (const c of entry.state.containers) {
      if (c.state.running) this.terminate(entry, c.name, { exitCode: 137, reason: "Error" }, false);
      else if (c.state.waiting) {
        c.state = {
          terminated: {
            exitCode: 137,
            reason: "ContainerStatusUnknown",
            message: "The container could not be located when the pod was deleted.  The container used to be Running",
            startedAt: null,
            finishedAt: kubeTime(),
          },
        };
      }
    }
    if (!entry.removed) this.writeStatus(entry);
  }

  /** spec.activeDeadlineSeconds ran out: stop the containers and fail the pod with DeadlineExceeded. */
  private async failOnDeadline(entry: PodEntry): Promise<void> {
    if (entry.removed || entry.control.stopping) return;
    const phase = podPhase(entry.control.pod(), entry.state);
    if (phase === "Succeeded" || phase === "Failed") return;
    const message = "Pod was active on the node longer than the specified deadline";
    entry.state.failure = { reason: "DeadlineExceeded", message };
    this.registry.recordEvent(entry.control.pod(), pods, "Normal", "DeadlineExceeded", message, "kubelet");
    await this.stopPod(entry);
  }

  private writeStatus(entry: PodEntry): void {
    if (entry.removed) return;
    const current = this.store.get(pods, entry.control.namespace, entry.control.name);
    if (!current || current.metadata.uid !== entry.control.uid) return;
    this.registry.writeStatus(pods, { ...current, status: buildPodStatus(current, entry.state, current.status) });
  }

  private terminate(entry: PodEntry, name: string, exit: ContainerExit, mayRestart = true): void {
    const c = this.container(entry, name);
    const startedAt = exit.startedAt ? kubeTime(exit.startedAt) : (c.state.running?.startedAt ?? kubeTime());
    const terminated: Json = {
      exitCode: exit.exitCode,
      reason: exit.reason ?? (exit.exitCode === 0 ? "Completed" : "Error"),
      startedAt,
      finishedAt: kubeTime(exit.finishedAt),
      containerID: c.containerID,
    };
    if (exit.message) terminated.message = exit.message;
    if (exit.signal !== undefined) terminated.signal = exit.signal;
    c.state = { terminated };
    c.ready = false;
    c.started = false;
    this.logs.finishRun(entry.control.uid, name);
    entry.launched.delete(name);
    const pod = entry.control.pod();
    if (mayRestart && !entry.control.stopping && this.restarts(pod, c) && podPhase(pod, entry.state) !== "Failed") {
      c.lastState = { terminated };
      c.restartCount += 1;
      c.state = {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off 10s restarting failed container=${name} pod=${entry.control.name}_${entry.control.namespace}(${entry.control.uid})`,
        },
      };
      this.writeStatus(entry);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.advance(entry);
      }, this.options.restartDelayMs);
      this.timers.add(timer);
      return;
    }
    this.writeStatus(entry);
    this.advance(entry);
  }

  private container(entry: PodEntry, name: string): ContainerState {
    const c = entry.state.containers.find((x) => x.name === name);
    if (!c) {
      const names = entry.state.containers.map((x) => x.name).join(", ");
      throw new Error(
        `test-cluster: pod ${entry.control.namespace}/${entry.control.name} has no container "${name}" (it has: ${names})`,
      );
    }
    return c;
  }

  private controlFor(entry: PodEntry, initial: KubeObject): PodControl & { markStopping(): void } {
    const kubelet = this;
    const namespace = initial.metadata.namespace as string;
    const name = initial.metadata.name as string;
    const uid = initial.metadata.uid as string;
    let stopping = false;
    let last = initial;
    return {
      namespace,
      name,
      uid,
      get stopping() {
        return stopping || entry.removed;
      },
      markStopping() {
        stopping = true;
      },
      pod() {
        const current = kubelet.store.get(pods, namespace, name);
        if (current && current.metadata.uid === uid) last = current;
        return last;
      },
      containers() {
        return {
          init: entry.state.containers.filter((c) => c.init).map((c) => c.name),
          regular: entry.state.containers.filter((c) => !c.init).map((c) => c.name),
        };
      },
      setUnschedulable(message) {
        if (entry.state.scheduled) {
          throw new Error(
            `test-cluster: pod ${namespace}/${name} is already scheduled; call setUnschedulable before it is (in the onPod script)`,
          );
        }
        entry.state.unschedulableMessage = message;
        kubelet.writeStatus(entry);
        kubelet.registry.recordEvent(this.pod(), pods, "Warning", "FailedScheduling", message, "default-scheduler");
      },
      setWaiting(container, reason, message) {
        const c = kubelet.container(entry, container);
        // Scheduling resets every container to ContainerCreating, so a reason set from an onPod
        // script (before scheduling) would be lost: schedule first, as startContainer does.
        if (!entry.state.scheduled && !entry.state.unschedulableMessage) kubelet.schedule(entry);
        c.state = { waiting: message ? { reason, message } : { reason } };
        c.ready = false;
        kubelet.writeStatus(entry);
      },
      startContainer(container, options = {}) {
        const c = kubelet.container(entry, container);
        if (!entry.state.scheduled) kubelet.schedule(entry);
        c.containerID = `containerd://${randomBytes(32).toString("hex")}`;
        c.state = { running: { startedAt: kubeTime(options.startedAt) } };
        c.started = true;
        c.ready = options.ready ?? true;
        entry.launched.add(container);
        kubelet.logs.startRun(uid, container);
        kubelet.writeStatus(entry);
      },
      setReady(container, ready) {
        kubelet.container(entry, container).ready = ready;
        kubelet.writeStatus(entry);
      },
      failReadinessProbe(container, output) {
        if (!kubelet.container(entry, container).state.running) this.startContainer(container, { ready: false });
        else this.setReady(container, false);
        // The kubelet's prober: reason Unhealthy on the container's field path, repeats aggregated.
        kubelet.registry.recordEvent(
          this.pod(),
          pods,
          "Warning",
          "Unhealthy",
          `Readiness probe failed: ${output}`,
          "kubelet",
          {
            fieldPath: `spec.containers{${container}}`,
            aggregate: true,
          },
        );
      },
      appendLog(container, text, stream = "stdout", time) {
        kubelet.container(entry, container);
        kubelet.logs.append(uid, container, text, stream, time);
      },
      terminateContainer(container, exit) {
        kubelet.terminate(entry, container, exit);
      },
      getSecret(secretName) {
        return kubelet.store.get(secrets, namespace, secretName);
      },
      getConfigMap(configMapName) {
        return kubelet.store.get(configMaps, namespace, configMapName);
      },
    };
  }
}
