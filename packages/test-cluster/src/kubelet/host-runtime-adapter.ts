// The host runtime as the kubelet sees it: each container runs as a host process (see
// host-runtime/) in a per-pod folder; its output becomes the pod log and its exit the container's
// terminated state. Deleting the pod kills the process group.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { join } from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { resolveContainerEnv } from "../host-runtime/container-env.ts";
import { type HostContainer, HostContainerSetupError, startHostContainer } from "../host-runtime/host-container.ts";
import type { Json } from "../json.ts";
import type { ContainerRuntime, PodControl } from "./container-runtime.ts";

export interface HostRuntimeOptions {
  /** Replaces a leading sh/bash/ash in a container's command (default ["busybox", "sh"]). */
  shell?: string[];
  /** Folders put first on PATH (e.g. stand-in `docker` or `git` scripts). */
  extraPath?: string[];
  /** Between SIGTERM and SIGKILL when a pod is deleted (default 2000 ms). */
  killGraceMs?: number;
  /** Where per-pod folders are made (default: a fresh temp folder, removed on close). */
  podsDir?: string;
  /** Keep per-pod folders after close (for debugging). */
  keepPodDirs?: boolean;
}

export interface HostRuntime {
  readonly kind: "host";
  /** The host folder standing in for a pod's filesystem (volumes/<name>, termination-log, root, home). */
  podDir(namespace: string, name: string): string | undefined;
}

interface HostPod {
  namespace: string;
  name: string;
  dir: string;
  running: Map<string, HostContainer>;
}

function signalNumber(signal: string | undefined): number | undefined {
  if (!signal) return undefined;
  return (osConstants.signals as Record<string, number>)[signal];
}

export class HostContainerRuntime implements ContainerRuntime, HostRuntime {
  readonly kind = "host" as const;
  private readonly pods = new Map<string, HostPod>();
  private readonly baseDir: string;
  private readonly ownBaseDir: boolean;

  constructor(private readonly options: HostRuntimeOptions) {
    this.ownBaseDir = options.podsDir === undefined;
    if (options.podsDir) mkdirSync(options.podsDir, { recursive: true });
    this.baseDir = options.podsDir ?? mkdtempSync(join(tmpdir(), "test-cluster-pods-"));
  }

  podDir(namespace: string, name: string): string | undefined {
    for (const pod of this.pods.values()) if (pod.namespace === namespace && pod.name === name) return pod.dir;
    return undefined;
  }

  podAdmitted(control: PodControl): void {
    const dir = mkdtempSync(join(this.baseDir, `${control.namespace}_${control.name}-`));
    this.pods.set(control.uid, { namespace: control.namespace, name: control.name, dir, running: new Map() });
  }

  runContainer(control: PodControl, name: string): void {
    const hostPod = this.pods.get(control.uid);
    if (!hostPod || control.stopping) return;
    const pod = control.pod() as V1Pod;
    const container = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
      (c) => c.name === name,
    ) as V1Container;
    const getSecret = (secretName: string) => control.getSecret(secretName) as Json;
    const resolved = resolveContainerEnv(pod, container, getSecret);
    if ("error" in resolved) {
      control.setWaiting(name, resolved.error.reason, resolved.error.message);
      return;
    }
    let started: HostContainer;
    try {
      started = startHostContainer({
        pod,
        container,
        env: resolved.env,
        getSecret,
        getConfigMap: (configMapName: string) => control.getConfigMap(configMapName) as Json,
        rootDir: hostPod.dir,
        ...(this.options.shell ? { shell: this.options.shell } : {}),
        ...(this.options.extraPath ? { extraPath: this.options.extraPath } : {}),
        ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
        // Stamped on arrival with the kubelet's nanosecond clock (the Date given has only milliseconds).
        onOutput: (line, stream) => control.appendLog(name, line, stream),
      });
    } catch (error) {
      if (!(error instanceof HostContainerSetupError)) throw error;
      control.setWaiting(
        name,
        error.reason === "FailedMount" ? "ContainerCreating" : "CreateContainerError",
        error.message,
      );
      return;
    }
    hostPod.running.set(name, started);
    control.startContainer(name);
    void started.exited.then((exit) => {
      hostPod.running.delete(name);
      const reason = exit.reason === "Killed" || exit.reason === "DeadlineExceeded" ? "Error" : exit.reason;
      const signal = signalNumber(exit.signal);
      control.terminateContainer(name, {
        exitCode: exit.exitCode,
        reason,
        startedAt: exit.startedAt,
        finishedAt: exit.finishedAt,
        ...(exit.message ? { message: exit.message } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
    });
  }

  async killPod(control: PodControl): Promise<void> {
    const hostPod = this.pods.get(control.uid);
    if (!hostPod) return;
    const running = [...hostPod.running.values()];
    for (const container of running) container.kill("Killed");
    await Promise.all(running.map((c) => c.exited));
    this.pods.delete(control.uid);
    if (!this.options.keepPodDirs) rmSync(hostPod.dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    const running = [...this.pods.values()].flatMap((p) => [...p.running.values()]);
    for (const container of running) container.kill("Killed");
    await Promise.all(running.map((c) => c.exited));
    if (this.ownBaseDir && !this.options.keepPodDirs) rmSync(this.baseDir, { recursive: true, force: true });
  }
}

export function createHostRuntime(options: HostRuntimeOptions): HostContainerRuntime {
  return new HostContainerRuntime(options);
}
