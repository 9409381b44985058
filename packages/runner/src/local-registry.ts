// A cluster's own registry, as it announces it in the `kube-public/local-registry-hosting` ConfigMap
// (KEP-1755; `pr-pod cluster up` writes one for kind's local registry, so do Tilt-style dev clusters).
// A run with builds on and no registry of its own pushes there, so images are pullable by the cluster
// with no `kind load`. The pure part reads the ConfigMap's text; the I/O part is one GET.
// https://github.com/kubernetes/enhancements/tree/master/keps/sig-cluster-lifecycle/generic/1755-communicating-a-local-registry
import type { RegistryOptions } from "@pr-pod/k8s-job-builder";
import { parse } from "yaml";
import { httpStatusOf, requestOptions } from "./api-retry.ts";
import type { RunCluster } from "./run-cluster.ts";

export const LOCAL_REGISTRY_HOSTING = { namespace: "kube-public", name: "local-registry-hosting" } as const;
/** How events name where a discovered registry came from. */
export const LOCAL_REGISTRY_HOSTING_SOURCE = "kube-public/local-registry-hosting";
const DATA_KEY = "localRegistryHosting.v1";

export type LocalRegistryDiscovery =
  /** Push here: the host pods reach (hostFromClusterNetwork), plain HTTP as a local registry is. */
  | { kind: "found"; registry: RegistryOptions }
  /** The cluster announces a registry that pods cannot reach: a sentence saying what to do. */
  | { kind: "unusable"; message: string }
  | { kind: "none" };

/**
 * What a `local-registry-hosting` ConfigMap's `localRegistryHosting.v1` text offers a run whose
 * BuildKit runs in the cluster: `hostFromClusterNetwork` is where pods push (pr-pod's kind setup makes
 * it the name nodes pull by too, `hostFromContainerRuntime`); `host` alone (the registry as seen from
 * the developer's machine, usually `localhost:<port>`) is not reachable from a pod.
 */
export function readLocalRegistryHosting(text: string | undefined): LocalRegistryDiscovery {
  if (text === undefined) return { kind: "none" };
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return {
      kind: "unusable",
      message: `kube-public/local-registry-hosting is not valid YAML, so the run pushes nowhere: fix the ConfigMap or pass --registry`,
    };
  }
  const hosting = (value ?? {}) as Record<string, unknown>;
  const inCluster = stringField(hosting.hostFromClusterNetwork);
  const fromHost = stringField(hosting.host);
  if (inCluster) {
    return { kind: "found", registry: { host: inCluster, insecure: true } };
  }
  if (fromHost) {
    return {
      kind: "unusable",
      message: `the cluster's local registry (kube-public/local-registry-hosting) names only ${fromHost}, which the run's BuildKit pods cannot reach, so images are built but not pushed: re-run pr-pod cluster up, or pass --registry`,
    };
  }
  return { kind: "none" };
}

/** Reads the ConfigMap; none there (404) or not readable (403) means no local registry. */
export async function discoverLocalRegistry(
  cluster: RunCluster,
  signal: AbortSignal | undefined,
): Promise<LocalRegistryDiscovery> {
  try {
    const configMap = await cluster.call("read the local-registry-hosting ConfigMap", signal, (callSignal) =>
      cluster.core.readNamespacedConfigMap(LOCAL_REGISTRY_HOSTING, requestOptions(callSignal)),
    );
    return readLocalRegistryHosting(configMap.data?.[DATA_KEY]);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404 || status === 403) return { kind: "none" };
    throw error;
  }
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
