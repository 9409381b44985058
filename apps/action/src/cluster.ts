// The cluster the run goes to: a kind cluster made on the runner (`cluster: kind`) or the one the
// runner already points at (`cluster: existing`, optionally from the `kubeconfig` input). Kind's
// lifecycle lives in @pr-pod/kind-cluster; this file only decides which path and records what the
// post step must undo.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ensureKindCluster, type KindLogger } from "@pr-pod/kind-cluster";
import type { Inputs } from "./context.ts";
import { kindFromToolCache } from "./kind-tool-cache.ts";
import { saveKindCluster, saveKubeconfigPath, saveTempDir } from "./state-helper.ts";

/** How long `kind create cluster --wait` waits for the control plane on a hosted runner. */
const KIND_WAIT = "120s";

export interface PreparedCluster {
  kubeConfig: KubeConfig;
  /** Said in the log: which cluster and how it was reached. */
  description: string;
}

/** A private folder for files the post step removes (kubeconfigs), under RUNNER_TEMP when there is one. */
async function makeTempDir(): Promise<string> {
  const tempRoot = process.env["RUNNER_TEMP"] || tmpdir();
  await mkdir(tempRoot, { recursive: true });
  const dir = await mkdtemp(join(tempRoot, "pr-pod-action-"));
  saveTempDir(dir);
  return dir;
}

export async function prepareCluster(
  inputs: Inputs,
  logger: KindLogger,
  signal: AbortSignal,
): Promise<PreparedCluster> {
  if (inputs.cluster === "kind") return prepareKindCluster(inputs, logger, signal);
  if (inputs.kubeconfig.trim() !== "") {
    const kubeconfigPath = join(await makeTempDir(), "kubeconfig");
    await writeFile(kubeconfigPath, inputs.kubeconfig, { mode: 0o600 });
    saveKubeconfigPath(kubeconfigPath);
    return { kubeConfig: loadKubeConfig(kubeconfigPath), description: "the cluster from the kubeconfig input" };
  }
  return { kubeConfig: loadRunnerKubeConfig(), description: "the runner's kubeconfig" };
}

async function prepareKindCluster(inputs: Inputs, logger: KindLogger, signal: AbortSignal): Promise<PreparedCluster> {
  const kind = await kindFromToolCache({ version: inputs["kind-version"] || undefined, logger, signal });
  logger.info(`kind ${kind.version} at ${kind.path} (from ${kind.source})`);
  const kubeconfigPath = join(await makeTempDir(), "kubeconfig");
  const cluster = await ensureKindCluster({
    name: inputs["kind-cluster-name"],
    kind: kind.path,
    kubeconfigPath,
    config: inputs["kind-config"] || undefined,
    nodeImage: inputs["kind-node-image"] || undefined,
    ...(inputs["kind-registry"] ? { localRegistry: true as const } : {}),
    wait: KIND_WAIT,
    logger,
    signal,
  });
  saveKubeconfigPath(kubeconfigPath);
  // Only a cluster this step created is deleted afterwards; a reused one belongs to someone else.
  if (cluster.created) saveKindCluster({ name: cluster.name, kindPath: kind.path });
  return {
    kubeConfig: loadKubeConfig(kubeconfigPath),
    description: `kind cluster "${cluster.name}" (${cluster.created ? "created for this job" : "reused"})`,
  };
}

export function loadKubeConfig(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}

/**
 * KUBECONFIG, ~/.kube/config, or the in-cluster service account (self-hosted runners in a pod).
 * Never client-node's silent fallback to http://localhost:8080: no kubeconfig is an error.
 */
export function loadRunnerKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kubeConfig = new KubeConfig();
  const defaultPath = join(homedir(), ".kube", "config");
  if (env["KUBECONFIG"] || existsSync(defaultPath) || env["KUBERNETES_SERVICE_HOST"]) {
    kubeConfig.loadFromDefault();
    return kubeConfig;
  }
  throw new Error(
    `cluster: existing found no kubeconfig (KUBECONFIG is unset and ${defaultPath} does not exist): set the kubeconfig input from a secret, run a step that sets up the cluster first (for example helm/kind-action), or use cluster: kind`,
  );
}
