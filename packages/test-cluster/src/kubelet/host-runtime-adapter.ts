// Placeholder until the host runtime is wired: see host-runtime/.
import type { ContainerRuntime } from "./container-runtime.ts";

export interface HostRuntimeOptions {
  shell?: string[];
  extraPath?: string[];
  killGraceMs?: number;
}

export interface HostRuntime {
  readonly kind: "host";
}

export function createHostRuntime(_options: HostRuntimeOptions): ContainerRuntime & HostRuntime {
  throw new Error('startTestCluster: the host runtime is not wired yet; use runtime: "scripted"');
}
