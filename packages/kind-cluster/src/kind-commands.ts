// The argument lists pr-pod hands to kind and docker. Pure, so each command is pinned by a test
// without running anything. Flags: https://kind.sigs.k8s.io/docs/user/quick-start/
import type { ResolvedLocalRegistry } from "./kind-cluster-config.ts";
import { KindClusterError } from "./kind-errors.ts";

export interface CreateClusterArguments {
  name: string;
  configFile: string;
  kubeconfigPath: string;
  nodeImage?: string;
  /** A Go duration kind waits for the control plane to be Ready, e.g. `60s`, `5m`. */
  wait?: string;
}

export function buildCreateClusterArguments(options: CreateClusterArguments): string[] {
  const wait = options.wait ?? "60s";
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(wait)) {
    throw new KindClusterError(
      "INVALID_CONFIG",
      `wait is ${JSON.stringify(wait)}, which kind cannot read as a duration`,
      'give a Go duration such as "60s", "5m" or "1m30s"',
    );
  }
  return [
    "create",
    "cluster",
    "--name",
    options.name,
    "--config",
    options.configFile,
    ...(options.nodeImage ? ["--image", options.nodeImage] : []),
    "--wait",
    wait,
    "--kubeconfig",
    options.kubeconfigPath,
  ];
}

export function buildDeleteClusterArguments(name: string, kubeconfigPath?: string): string[] {
  return ["delete", "cluster", "--name", name, ...(kubeconfigPath ? ["--kubeconfig", kubeconfigPath] : [])];
}

export function buildExportKubeconfigArguments(name: string, kubeconfigPath: string): string[] {
  return ["export", "kubeconfig", "--name", name, "--kubeconfig", kubeconfigPath];
}

export const GET_CLUSTERS_ARGUMENTS: readonly string[] = ["get", "clusters"];

export function buildGetNodesArguments(name: string): string[] {
  return ["get", "nodes", "--name", name];
}

/** `kind get clusters` prints one name a line on stdout ("No kind clusters found." goes to stderr). */
export function parseClusterList(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("No kind clusters found"));
}

/** `docker inspect` of node containers, one `<name> <status>` line each. */
export function buildInspectNodesArguments(nodeNames: readonly string[]): string[] {
  return ["inspect", "--format", "{{.Name}} {{.State.Status}}", ...nodeNames];
}

export function parseNodeStates(stdout: string): { name: string; state: string }[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [name = "", state = "unknown"] = line.split(/\s+/);
      return { name: name.replace(/^\//, ""), state };
    });
}

export function buildInspectRegistryArguments(registry: ResolvedLocalRegistry): string[] {
  return ["inspect", "--format", "{{.State.Running}}", registry.name];
}

export function buildRunRegistryArguments(registry: ResolvedLocalRegistry): string[] {
  return [
    "run",
    "--detach",
    "--restart=always",
    "--publish",
    `127.0.0.1:${registry.hostPort}:5000`,
    "--network",
    "bridge",
    "--name",
    registry.name,
    registry.image,
  ];
}

/** Prints the registry's address on the kind network, or `<no value>` when it is not connected. */
export function buildInspectRegistryNetworkArguments(registry: ResolvedLocalRegistry): string[] {
  return ["inspect", "--format", '{{index .NetworkSettings.Networks "kind"}}', registry.name];
}

export function buildConnectRegistryArguments(registry: ResolvedLocalRegistry): string[] {
  return ["network", "connect", "kind", registry.name];
}

export function buildWriteNodeFileArguments(node: string, directory: string, fileName: string): string[] {
  return ["exec", "-i", node, "sh", "-c", `mkdir -p '${directory}' && cat > '${directory}/${fileName}'`];
}
