// Creates, reuses, inspects and deletes kind clusters by running kind (and docker for node state and
// the local registry). Argument lists, config and error texts come from the pure modules beside it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import {
  buildKindClusterConfig,
  buildLocalRegistryHostingConfigMap,
  buildRegistryHostsToml,
  type KindClusterConfig,
  type KindPortMapping,
  type LocalRegistryOptions,
  parseKindClusterConfig,
  type ResolvedLocalRegistry,
  registryHostsDirectories,
  renderKindClusterConfig,
  resolveLocalRegistry,
} from "./kind-cluster-config.ts";
import {
  buildConnectRegistryArguments,
  buildCreateClusterArguments,
  buildDeleteClusterArguments,
  buildExportKubeconfigArguments,
  buildGetNodesArguments,
  buildInspectNodesArguments,
  buildInspectRegistryArguments,
  buildInspectRegistryNetworkArguments,
  buildRunRegistryArguments,
  buildWriteNodeFileArguments,
  GET_CLUSTERS_ARGUMENTS,
  parseClusterList,
  parseNodeStates,
} from "./kind-commands.ts";
import { KindClusterError } from "./kind-errors.ts";
import { type KindLogger, type RunCommandOptions, runCommand, spawnCommand } from "./run-command.ts";

/** What every call that runs kind accepts. */
export interface KindCommandOptions {
  /** The kind executable; default `kind` from PATH (pass `ensureKind()`'s path). */
  kind?: string;
  /** The docker executable; default `docker` from PATH. */
  docker?: string;
  logger?: KindLogger;
  signal?: AbortSignal;
  /** Environment for kind and docker; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface EnsureKindClusterOptions extends KindCommandOptions {
  /** Default `kind`. */
  name?: string;
  /** Where kind writes (or exports) the cluster's kubeconfig, e.g. `kubeconfig.devbox.yml`. */
  kubeconfigPath: string;
  /** A kind cluster config to start from, as an object or the path of a YAML file. */
  config?: KindClusterConfig | string;
  /** e.g. `kindest/node:v1.35.0`; default kind's own default for its version. */
  nodeImage?: string;
  /** How long kind waits for the control plane to be Ready (a Go duration); default `60s`. */
  wait?: string;
  extraPortMappings?: readonly KindPortMapping[];
  /** A registry container reachable as `localhost:<hostPort>`, set up as kind's guide describes. */
  localRegistry?: LocalRegistryOptions | true;
}

export interface KindCluster {
  name: string;
  kubeconfigPath: string;
  /** False when a running cluster of that name was reused. */
  created: boolean;
  /** `kind-<name>`, the context kind writes. */
  context: string;
  /** Set when a local registry was asked for: push to `localhost:<hostPort>/image:tag`. */
  registry?: ResolvedLocalRegistry;
}

export interface KindClusterStatus {
  name: string;
  exists: boolean;
  /** True when the cluster exists and every node container is running. */
  running: boolean;
  nodes: { name: string; state: string }[];
}

function commandOptions(options: KindCommandOptions, clusterName?: string): RunCommandOptions {
  return { logger: options.logger, signal: options.signal, env: options.env, clusterName };
}

/** Names of the kind clusters on this Docker host. */
export async function listKindClusters(options: KindCommandOptions = {}): Promise<string[]> {
  const result = await runCommand(options.kind ?? "kind", GET_CLUSTERS_ARGUMENTS, commandOptions(options));
  return parseClusterList(result.stdout);
}

/** Whether the cluster exists and its node containers are running. */
export async function kindClusterStatus(name: string, options: KindCommandOptions = {}): Promise<KindClusterStatus> {
  const clusters = await listKindClusters(options);
  if (!clusters.includes(name)) return { name, exists: false, running: false, nodes: [] };
  const kind = options.kind ?? "kind";
  const nodeNames = parseClusterList(
    (await runCommand(kind, buildGetNodesArguments(name), commandOptions(options, name))).stdout,
  );
  if (nodeNames.length === 0) return { name, exists: true, running: false, nodes: [] };
  const inspected = await runCommand(
    options.docker ?? "docker",
    buildInspectNodesArguments(nodeNames),
    commandOptions(options, name),
  );
  const nodes = parseNodeStates(inspected.stdout);
  return { name, exists: true, running: nodes.length > 0 && nodes.every((node) => node.state === "running"), nodes };
}

/** Reuses a running cluster of that name, else creates one; either way the kubeconfig is at `kubeconfigPath`. */
export async function ensureKindCluster(options: EnsureKindClusterOptions): Promise<KindCluster> {
  const name = options.name ?? "kind";
  const kind = options.kind ?? "kind";
  const run = commandOptions(options, name);
  const registry = options.localRegistry ? resolveLocalRegistry(options.localRegistry) : undefined;
  const context = `kind-${name}`;

  const status = await kindClusterStatus(name, options);
  if (status.exists) {
    if (!status.running) {
      const stopped = status.nodes.filter((node) => node.state !== "running");
      const stoppedNames = stopped.map((node) => node.name).join(" ") || `${name}-control-plane`;
      throw new KindClusterError(
        "CLUSTER_NOT_RUNNING",
        `the kind cluster "${name}" exists but its nodes are not running (${stopped.map((node) => `${node.name}: ${node.state}`).join(", ") || "no node containers"})`,
        `start them with \`docker start ${stoppedNames}\`, or delete the cluster with \`kind delete cluster --name ${name}\``,
      );
    }
    options.logger?.info(`reusing the running kind cluster "${name}"`);
    await runCommand(kind, buildExportKubeconfigArguments(name, options.kubeconfigPath), {
      ...run,
      streamStderr: true,
    });
    if (registry) await connectLocalRegistry(name, registry, options);
    return { name, kubeconfigPath: options.kubeconfigPath, created: false, context, ...(registry ? { registry } : {}) };
  }

  const baseConfig =
    typeof options.config === "string"
      ? parseKindClusterConfig(await readConfigFile(options.config), options.config)
      : options.config;
  const config = buildKindClusterConfig({
    config: baseConfig,
    extraPortMappings: options.extraPortMappings,
    localRegistry: registry,
  });
  const configDirectory = await mkdtemp(join(tmpdir(), "pr-pod-kind-"));
  try {
    const configFile = join(configDirectory, "kind-config.yaml");
    const createArguments = buildCreateClusterArguments({
      name,
      configFile,
      kubeconfigPath: options.kubeconfigPath,
      nodeImage: options.nodeImage,
      wait: options.wait,
    });
    await writeFile(configFile, renderKindClusterConfig(config));
    if (registry) await startLocalRegistry(registry, options);
    await runCommand(kind, createArguments, { ...run, streamStderr: true });
  } finally {
    await rm(configDirectory, { recursive: true, force: true });
  }
  if (registry) await connectLocalRegistry(name, registry, options);
  return { name, kubeconfigPath: options.kubeconfigPath, created: true, context, ...(registry ? { registry } : {}) };
}

export interface DeleteKindClusterOptions extends KindCommandOptions {
  /** The kubeconfig to remove the cluster's context from; default kind's (`$KUBECONFIG` or ~/.kube/config). */
  kubeconfigPath?: string;
}

/** Deletes the cluster; `existed: false` when there was none (not an error). */
export async function deleteKindCluster(
  name: string,
  options: DeleteKindClusterOptions = {},
): Promise<{ name: string; existed: boolean }> {
  const existed = (await listKindClusters(options)).includes(name);
  if (!existed) {
    options.logger?.info(`no kind cluster named "${name}" to delete`);
    return { name, existed };
  }
  await runCommand(options.kind ?? "kind", buildDeleteClusterArguments(name, options.kubeconfigPath), {
    ...commandOptions(options, name),
    streamStderr: true,
  });
  return { name, existed };
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new KindClusterError("INVALID_CONFIG", `cannot read the kind config ${path}`, "check the --config path", {
      cause: error,
    });
  }
}

/** Step 1 of kind's local-registry guide: the registry container, started once and left running. */
async function startLocalRegistry(registry: ResolvedLocalRegistry, options: KindCommandOptions): Promise<void> {
  const docker = options.docker ?? "docker";
  const inspected = await spawnCommand(docker, buildInspectRegistryArguments(registry), commandOptions(options));
  if (inspected.exitCode === 0 && inspected.stdout.trim() === "true") return;
  if (inspected.exitCode === 0) {
    await runCommand(docker, ["start", registry.name], commandOptions(options));
    return;
  }
  options.logger?.info(`starting the local registry ${registry.name} on 127.0.0.1:${registry.hostPort}`);
  await runCommand(docker, buildRunRegistryArguments(registry), commandOptions(options));
}

/** Steps 3 to 5 of kind's guide: hosts.toml on each node, the kind network, the hosting ConfigMap. */
async function connectLocalRegistry(
  name: string,
  registry: ResolvedLocalRegistry,
  options: EnsureKindClusterOptions,
): Promise<void> {
  const docker = options.docker ?? "docker";
  const run = commandOptions(options, name);
  await startLocalRegistry(registry, options);
  const nodes = parseClusterList((await runCommand(options.kind ?? "kind", buildGetNodesArguments(name), run)).stdout);
  for (const node of nodes) {
    for (const directory of registryHostsDirectories(registry)) {
      await runCommand(docker, buildWriteNodeFileArguments(node, directory, "hosts.toml"), {
        ...run,
        input: buildRegistryHostsToml(registry),
      });
    }
  }
  const network = await runCommand(docker, buildInspectRegistryNetworkArguments(registry), run);
  if (network.stdout.trim() === "<no value>" || network.stdout.trim() === "") {
    await runCommand(docker, buildConnectRegistryArguments(registry), run);
  }
  await applyLocalRegistryHostingConfigMap(options.kubeconfigPath, `kind-${name}`, registry);
}

async function applyLocalRegistryHostingConfigMap(
  kubeconfigPath: string,
  context: string,
  registry: ResolvedLocalRegistry,
): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  if (kubeConfig.getContextObject(context)) kubeConfig.setCurrentContext(context);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const body = buildLocalRegistryHostingConfigMap(registry);
  try {
    await core.createNamespacedConfigMap({ namespace: body.metadata.namespace, body });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
    await core.replaceNamespacedConfigMap({ name: body.metadata.name, namespace: body.metadata.namespace, body });
  }
}
