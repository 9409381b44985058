// `pr-pod cluster up|down|status`: a local kind cluster, entirely through @pr-pod/kind-cluster.
// kind is taken from PATH when its version is supported, else installed (checksum-verified) into
// ~/.cache/pr-pod. The kubeconfig goes where kind puts it by default (the first KUBECONFIG file, else
// ~/.kube/config), so `pr-pod run` finds the cluster afterwards; --write-kubeconfig picks another file.
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import type { KindLogger } from "@pr-pod/kind-cluster";
import type { CommandBody, CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";

interface ClusterOptions {
  name: string;
  config?: string;
  nodeImage?: string;
  writeKubeconfig?: string;
  /** commander's `--no-registry`: true unless that flag is given. */
  registry?: boolean;
}

export function kindCacheDirectory(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pr-pod");
}

/** Where kind writes the kubeconfig when not told otherwise: the first KUBECONFIG file, else ~/.kube/config. */
export function kindDefaultKubeconfig(env: NodeJS.ProcessEnv): string {
  const first = env.KUBECONFIG?.split(delimiter).find(Boolean);
  return first ?? join(homedir(), ".kube", "config");
}

export function kindLogger(environment: CommandEnvironment): KindLogger {
  const { terminal } = environment;
  return {
    info: (message) => terminal.info(terminal.style("dim", `kind: ${message}`)),
    warn: (message) => terminal.warn(message),
  };
}

/** kind from PATH, else the checksum-verified install in the cache. */
export async function kindExecutable(environment: CommandEnvironment): Promise<string> {
  const { ensureKind, fetchDownload } = await import("@pr-pod/kind-cluster");
  const kind = await ensureKind({
    cacheDir: kindCacheDirectory(environment.env),
    download: fetchDownload,
    logger: kindLogger(environment),
  });
  if (kind.installed) environment.terminal.info(`installed kind ${kind.version} at ${kind.path}`);
  return kind.path;
}

export function clusterCommand(action: "up" | "down" | "status"): CommandBody<ClusterOptions> {
  return async (environment, options) => {
    const kindCluster = await import("@pr-pod/kind-cluster");
    const { terminal } = environment;
    const kind = await kindExecutable(environment);
    const logger = kindLogger(environment);
    if (action === "up") {
      const kubeconfigPath = options.writeKubeconfig ?? kindDefaultKubeconfig(environment.env);
      terminal.phase(`bringing up the kind cluster "${options.name}"`);
      const cluster = await kindCluster.ensureKindCluster({
        kind,
        name: options.name,
        kubeconfigPath,
        config: options.config,
        nodeImage: options.nodeImage,
        ...(options.registry === false ? {} : { localRegistry: true as const }),
        logger,
      });
      terminal.endPhase();
      terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "KindCluster", ...cluster });
      if (terminal.mode === "text") {
        terminal.out(
          `kind cluster "${cluster.name}" is ${cluster.created ? "up" : "already running (reused)"}; context ${cluster.context} in ${cluster.kubeconfigPath}`,
        );
        if (cluster.registry) {
          terminal.out(
            `local registry: localhost:${cluster.registry.hostPort} from this machine, ${kindCluster.clusterRegistryHost(cluster.registry)} in the cluster (runs push there unless given --registry)`,
          );
        }
        terminal.out(`next: pr-pod run --context ${cluster.context} --repo owner/name --pr 123`);
      }
      return EXIT_CODES.success;
    }
    if (action === "down") {
      const deleted = await kindCluster.deleteKindCluster(options.name, {
        kind,
        logger,
        kubeconfigPath: kindDefaultKubeconfig(environment.env),
      });
      terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "KindClusterDeletion", ...deleted });
      if (terminal.mode === "text") {
        terminal.out(
          deleted.existed ? `deleted the kind cluster "${deleted.name}"` : `no kind cluster named "${deleted.name}"`,
        );
      }
      return EXIT_CODES.success;
    }
    const status = await kindCluster.kindClusterStatus(options.name, { kind, logger });
    terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "KindClusterStatus", ...status });
    if (terminal.mode === "text") {
      const state = !status.exists ? "does not exist" : status.running ? "is running" : "exists but is not running";
      terminal.out(`kind cluster "${status.name}" ${state}`);
      for (const node of status.nodes) terminal.out(`  ${node.name}: ${node.state}`);
      if (!status.exists) terminal.out(`start it with: pr-pod cluster up --name ${status.name}`);
    }
    // Scripts can test `pr-pod cluster status` directly: 0 running, 69 (unreachable) otherwise.
    return status.running ? EXIT_CODES.success : EXIT_CODES.clusterUnreachable;
  };
}
