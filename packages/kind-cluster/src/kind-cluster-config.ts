// Builds the kind cluster config pr-pod passes to `kind create cluster --config`, and the pieces of
// kind's local-registry guide (https://kind.sigs.k8s.io/docs/user/local-registry/). Pure: plain data in,
// plain data or YAML text out.
// Config format: https://kind.sigs.k8s.io/docs/user/configuration/
import { parse, stringify } from "yaml";
import { KindClusterError } from "./kind-errors.ts";

export const KIND_CONFIG_API_VERSION = "kind.x-k8s.io/v1alpha4";

export interface KindPortMapping {
  containerPort: number;
  hostPort: number;
  /** Host address to bind; kind's default is 0.0.0.0. */
  listenAddress?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
}

export interface KindNodeConfig {
  role: "control-plane" | "worker";
  image?: string;
  extraPortMappings?: KindPortMapping[];
  [field: string]: unknown;
}

/** A kind `Cluster` config; fields pr-pod does not know pass through unchanged. */
export interface KindClusterConfig {
  kind?: "Cluster";
  apiVersion?: string;
  name?: string;
  nodes?: KindNodeConfig[];
  containerdConfigPatches?: string[];
  [field: string]: unknown;
}

/** A registry container beside the cluster, reachable as `localhost:<hostPort>/image` from host and nodes. */
export interface LocalRegistryOptions {
  /** Container name; default `kind-registry`. */
  name?: string;
  /** Port on 127.0.0.1; default 5001. */
  hostPort?: number;
  /** Default `registry:2`. */
  image?: string;
}

export interface ResolvedLocalRegistry {
  name: string;
  hostPort: number;
  image: string;
}

export function resolveLocalRegistry(options: LocalRegistryOptions | true): ResolvedLocalRegistry {
  const given = options === true ? {} : options;
  return { name: given.name ?? "kind-registry", hostPort: given.hostPort ?? 5001, image: given.image ?? "registry:2" };
}

/** Lets containerd read per-registry `hosts.toml` files, as kind's local-registry guide asks. */
export const REGISTRY_CONFIG_PATH_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"`;

export interface BuildKindClusterConfigOptions {
  /** The caller's own config to start from; default one control-plane node. */
  config?: KindClusterConfig;
  /** Added to the first control-plane node. */
  extraPortMappings?: readonly KindPortMapping[];
  localRegistry?: LocalRegistryOptions | true;
}

/** The config object for `kind create cluster`: the caller's config plus port mappings and registry patch. */
export function buildKindClusterConfig(options: BuildKindClusterConfigOptions = {}): KindClusterConfig {
  const base = options.config ?? {};
  if (base.kind !== undefined && base.kind !== "Cluster") {
    throw new KindClusterError(
      "INVALID_CONFIG",
      `the kind config has kind: ${String(base.kind)}`,
      "use a kind cluster config (kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4)",
    );
  }
  if (base.apiVersion !== undefined && base.apiVersion !== KIND_CONFIG_API_VERSION) {
    throw new KindClusterError(
      "INVALID_CONFIG",
      `the kind config has apiVersion: ${base.apiVersion}`,
      `set apiVersion: ${KIND_CONFIG_API_VERSION}`,
    );
  }
  const baseNodes: KindNodeConfig[] = base.nodes?.length ? base.nodes : [{ role: "control-plane" }];
  const nodes = baseNodes.map((node) => ({ ...node }));
  const mappings = options.extraPortMappings ?? [];
  if (mappings.length > 0) {
    const controlPlane = nodes.find((node) => node.role === "control-plane");
    if (!controlPlane) {
      throw new KindClusterError(
        "INVALID_CONFIG",
        "extraPortMappings need a control-plane node, and the kind config has none",
        "add a node with role: control-plane",
      );
    }
    for (const mapping of mappings) validatePortMapping(mapping);
    controlPlane.extraPortMappings = [...(controlPlane.extraPortMappings ?? []), ...mappings.map((m) => ({ ...m }))];
  }
  const patches = [...(base.containerdConfigPatches ?? [])];
  if (options.localRegistry && !patches.some((patch) => patch.includes("config_path"))) {
    patches.push(REGISTRY_CONFIG_PATH_PATCH);
  }
  const { kind: _kind, apiVersion: _apiVersion, nodes: _nodes, containerdConfigPatches: _patches, ...rest } = base;
  return {
    kind: "Cluster",
    apiVersion: KIND_CONFIG_API_VERSION,
    ...rest,
    nodes,
    ...(patches.length > 0 ? { containerdConfigPatches: patches } : {}),
  };
}

function validatePortMapping(mapping: KindPortMapping): void {
  for (const field of ["containerPort", "hostPort"] as const) {
    const value = mapping[field];
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new KindClusterError(
        "INVALID_CONFIG",
        `extraPortMappings has ${field}: ${String(value)}`,
        `give ${field} a port number from 0 to 65535`,
      );
    }
  }
}

/** YAML text for `kind create cluster --config`. */
export function renderKindClusterConfig(config: KindClusterConfig): string {
  return stringify(config, { lineWidth: 0 });
}

/** Parses a kind config file's text; an error naming the file when it is not a mapping. */
export function parseKindClusterConfig(text: string, source = "the kind config"): KindClusterConfig {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new KindClusterError("INVALID_CONFIG", `${source} is not valid YAML`, "fix the YAML syntax", {
      cause: error,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new KindClusterError(
      "INVALID_CONFIG",
      `${source} is not a YAML mapping`,
      "write a kind cluster config (kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4)",
    );
  }
  return value as KindClusterConfig;
}

/** Where pods and nodes reach the registry container: its name on the `kind` network. */
export function clusterRegistryHost(registry: ResolvedLocalRegistry): string {
  return `${registry.name}:5000`;
}

/**
 * The directories inside each node where containerd looks for a registry's hosts.toml: `localhost:<port>`
 * (images pushed from this machine) and `<name>:5000` (images pushed from inside the cluster, by the
 * run's BuildKit, which cannot reach this machine's localhost). Both lead to the registry container.
 */
export function registryHostsDirectories(registry: ResolvedLocalRegistry): string[] {
  return [`localhost:${registry.hostPort}`, clusterRegistryHost(registry)].map(
    (host) => `/etc/containerd/certs.d/${host}`,
  );
}

/** Tells containerd on a node to reach the registry container over plain HTTP on the kind network. */
export function buildRegistryHostsToml(registry: ResolvedLocalRegistry): string {
  return `[host."http://${clusterRegistryHost(registry)}"]\n`;
}

/**
 * The `kube-public/local-registry-hosting` ConfigMap (KEP-1755) that tells tools where the registry is:
 * `host` from this machine, `hostFromContainerRuntime` for image references nodes pull, and
 * `hostFromClusterNetwork` for pushes from pods (pr-pod's BuildKit). pr-pod runs read it to push there.
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-cluster-lifecycle/generic/1755-communicating-a-local-registry
 */
export function buildLocalRegistryHostingConfigMap(registry: ResolvedLocalRegistry) {
  const inCluster = clusterRegistryHost(registry);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "local-registry-hosting", namespace: "kube-public" },
    data: {
      "localRegistryHosting.v1": [
        `host: "localhost:${registry.hostPort}"`,
        `hostFromContainerRuntime: "${inCluster}"`,
        `hostFromClusterNetwork: "${inCluster}"`,
        `help: "https://kind.sigs.k8s.io/docs/user/local-registry/"`,
        "",
      ].join("\n"),
    },
  };
}
