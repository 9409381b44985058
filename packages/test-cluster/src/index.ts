// @pr-pod/test-cluster: an in-process Kubernetes API server with a job controller and a kubelet.
export type { DeniedAccess, Tokens } from "./api/authorization.ts";
export type { PropagationPolicy } from "./api/registry.ts";
export type {
  CutStreamOptions,
  FailNextOptions,
  Faults,
  LatencyOptions,
} from "./faults.ts";
export type { HostRuntime, HostRuntimeOptions } from "./kubelet/host-runtime-adapter.ts";
export type {
  PodFilter,
  PodScript,
  ScriptedExitOptions,
  ScriptedLogOptions,
  ScriptedPod,
  ScriptedRuntime,
} from "./kubelet/scripted-runtime.ts";
export type { RequestFilter, RequestLog, RequestRecord } from "./request-log.ts";
export {
  type ClusterRuntime,
  startTestCluster,
  systemNamespaces,
  type TestCluster,
  type TestClusterOptions,
} from "./start-test-cluster.ts";
