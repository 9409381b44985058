// The scripted runtime: nothing runs by itself; the test decides what each container does (start,
// log lines, exit codes, image pull errors, OOM kills), either per pod as it appears (`onPod`) or by
// waiting for a pod and driving it (`waitForPod`).

import { parseLabelSelector } from "../api/selectors.ts";
import type { KubeObject } from "../json.ts";
import type { ContainerExit, ContainerRuntime, PodControl } from "./container-runtime.ts";

export interface ScriptedExitOptions {
  container?: string;
  /** Default "Completed" for 0, "Error" otherwise. */
  reason?: string;
  /** Termination message (as if written to terminationMessagePath). */
  message?: string;
}

export interface ScriptedLogOptions {
  container?: string;
  stream?: "stdout" | "stderr";
  /** When the line was written (default: now). */
  time?: Date;
}

/** One pod under test control. Methods without `container` act on the first regular container. */
export interface ScriptedPod {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** The pod as last stored in the API. */
  readonly object: KubeObject;
  /** Keep the pod Pending with PodScheduled=False reason Unschedulable (only inside an onPod script). */
  unschedulable(message?: string): void;
  /** Set a waiting reason: "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff"... */
  waiting(reason: string, message?: string, options?: { container?: string }): void;
  /** The container runs (ready unless `ready: false`). */
  start(options?: { container?: string; ready?: boolean; startedAt?: Date }): void;
  setReady(ready: boolean, options?: { container?: string }): void;
  /**
   * The readiness probe fails `times` times (default 1), as the kubelet shows it: container running and
   * not ready, pod Ready=False, and a Warning `Unhealthy` Event "Readiness probe failed: <output>" whose
   * count rises with each failure (default output "HTTP probe failed with statuscode: 503").
   */
  failReadinessProbe(output?: string, options?: { container?: string; times?: number }): void;
  /** Adds lines to the container's log (a string with newlines is split into lines). */
  log(lines: string | string[], options?: ScriptedLogOptions): void;
  exit(exitCode: number, options?: ScriptedExitOptions): void;
  /** exit 137, reason OOMKilled. */
  oomKill(options?: { container?: string }): void;
  /** start + log + exit 0. */
  succeed(lines?: string | string[], options?: ScriptedExitOptions): void;
  /** start + log + exit (default 1). */
  fail(exitCode?: number, lines?: string | string[], options?: ScriptedExitOptions): void;
  /** Resolves when the pod is being deleted (the kubelet stops its containers with exit 137). */
  readonly stopped: Promise<void>;
}

export interface PodFilter {
  namespace?: string;
  name?: string;
  /** e.g. "job-name=build" */
  labelSelector?: string;
  /** Shorthand for labelSelector job-name=<jobName>. */
  jobName?: string;
}

export type PodScript = (pod: ScriptedPod) => void | Promise<void>;

export interface ScriptedRuntime {
  readonly kind: "scripted";
  /** Runs `script` for every pod that appears from now on (before it is scheduled). */
  onPod(script: PodScript): void;
  /** The first pod (seen so far or arriving later) that matches; rejects after timeoutMs (default 10 s). */
  waitForPod(filter?: PodFilter, options?: { timeoutMs?: number }): Promise<ScriptedPod>;
  /** Every pod seen so far, oldest first. */
  pods(filter?: PodFilter): ScriptedPod[];
}

function matches(pod: ScriptedPod, filter: PodFilter): boolean {
  if (filter.namespace && pod.namespace !== filter.namespace) return false;
  if (filter.name && pod.name !== filter.name) return false;
  const selector = [filter.labelSelector, filter.jobName ? `job-name=${filter.jobName}` : undefined]
    .filter(Boolean)
    .join(",");
  return parseLabelSelector(selector || undefined)(pod.object);
}

export class ScriptedContainerRuntime implements ContainerRuntime, ScriptedRuntime {
  readonly kind = "scripted" as const;
  private scripts: PodScript[] = [];
  private readonly seen: ScriptedPod[] = [];
  private readonly waiters: { filter: PodFilter; resolve: (pod: ScriptedPod) => void }[] = [];
  private readonly stops = new Map<string, () => void>();

  onPod(script: PodScript): void {
    this.scripts.push(script);
  }

  pods(filter: PodFilter = {}): ScriptedPod[] {
    return this.seen.filter((p) => matches(p, filter));
  }

  waitForPod(filter: PodFilter = {}, options: { timeoutMs?: number } = {}): Promise<ScriptedPod> {
    const found = this.pods(filter)[0];
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        filter,
        resolve: (pod: ScriptedPod) => {
          clearTimeout(timer);
          resolve(pod);
        },
      };
      const timeoutMs = options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`test-cluster: no pod matching ${JSON.stringify(filter)} appeared within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  podAdmitted(control: PodControl): void {
    let markStopped = () => {};
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    this.stops.set(control.uid, markStopped);
    const pod = scriptedPod(control, stopped);
    this.seen.push(pod);
    // Scripts run synchronously first, so `unschedulable()` can still stop scheduling.
    for (const script of this.scripts) {
      try {
        Promise.resolve(script(pod)).catch(reportScriptError);
      } catch (error) {
        reportScriptError(error);
      }
    }
    for (const waiter of [...this.waiters]) {
      if (!matches(pod, waiter.filter)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(pod);
    }
  }

  runContainer(): void {
    // The test drives containers; the kubelet's ContainerCreating stays until it does.
  }

  async killPod(control: PodControl): Promise<void> {
    this.stops.get(control.uid)?.();
  }

  async close(): Promise<void> {
    for (const stop of this.stops.values()) stop();
  }
}

function reportScriptError(error: unknown): void {
  console.error(`test-cluster: an onPod script threw: ${(error as Error)?.stack ?? error}`);
}

function scriptedPod(control: PodControl, stopped: Promise<void>): ScriptedPod {
  const first = () => control.containers().regular[0] as string;
  const lines = (text: string | string[]) => (Array.isArray(text) ? text : text.split("\n"));
  const exit = (code: number, options: ScriptedExitOptions = {}) => {
    const exitInfo: ContainerExit = { exitCode: code };
    if (options.reason) exitInfo.reason = options.reason;
    if (options.message) exitInfo.message = options.message;
    control.terminateContainer(options.container ?? first(), exitInfo);
  };
  const pod: ScriptedPod = {
    name: control.name,
    namespace: control.namespace,
    uid: control.uid,
    get object() {
      return control.pod();
    },
    stopped,
    unschedulable(
      message = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    ) {
      control.setUnschedulable(message);
    },
    waiting(reason, message, options = {}) {
      control.setWaiting(options.container ?? first(), reason, message);
    },
    start(options = {}) {
      const startOptions: { ready?: boolean; startedAt?: Date } = {};
      if (options.ready !== undefined) startOptions.ready = options.ready;
      if (options.startedAt) startOptions.startedAt = options.startedAt;
      control.startContainer(options.container ?? first(), startOptions);
    },
    setReady(ready, options = {}) {
      control.setReady(options.container ?? first(), ready);
    },
    failReadinessProbe(output = "HTTP probe failed with statuscode: 503", options = {}) {
      for (let i = 0; i < (options.times ?? 1); i++) control.failReadinessProbe(options.container ?? first(), output);
    },
    log(text, options = {}) {
      for (const line of lines(text))
        control.appendLog(options.container ?? first(), line, options.stream ?? "stdout", options.time);
    },
    exit,
    oomKill(options = {}) {
      exit(137, { reason: "OOMKilled", ...(options.container ? { container: options.container } : {}) });
    },
    succeed(text, options = {}) {
      const container = options.container ?? first();
      control.startContainer(container);
      if (text !== undefined) pod.log(text, { container });
      exit(0, { ...options, container });
    },
    fail(code = 1, text, options = {}) {
      const container = options.container ?? first();
      control.startContainer(container);
      if (text !== undefined) pod.log(text, { container });
      exit(code, { ...options, container });
    },
  };
  return pod;
}
