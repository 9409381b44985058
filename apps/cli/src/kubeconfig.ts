// Which cluster the CLI talks to. The order, first match wins:
//   1. --kubeconfig <path>
//   2. KUBECONFIG (a path list, merged like kubectl does; files that do not exist are skipped)
//   3. KUBECONFIG_PRIMARY   (the original pr-pod scripts' variable)
//   4. KUBECONFIG_DEV       (the original scripts' dev cluster, e.g. kubeconfig.devbox.yml)
//   5. ~/.kube/config
//   6. in-cluster service account (when running inside a pod)
// A level that is set but points at nothing is an error naming it, never a silent fall through.
// client-node's loadFromDefault would fall back to http://localhost:8080 when it finds nothing; we say so instead.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { CliError } from "./cli-error.ts";

export type KubeconfigSource =
  | "--kubeconfig"
  | "KUBECONFIG"
  | "KUBECONFIG_PRIMARY"
  | "KUBECONFIG_DEV"
  | "~/.kube/config"
  | "in-cluster";

export interface KubeconfigChoice {
  source: KubeconfigSource;
  /** Files to load and merge, in order (empty for in-cluster). */
  paths: string[];
}

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeconfigSource;
  paths: string[];
  context: string;
  server: string;
}

export interface KubeconfigLookup {
  /** The --kubeconfig flag. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The kubeconfig files to use, in the documented order; undefined when nothing is there. */
export function chooseKubeconfig(lookup: KubeconfigLookup = {}): KubeconfigChoice | undefined {
  const env = lookup.env ?? process.env;
  if (lookup.kubeconfig) {
    const path = resolve(lookup.kubeconfig);
    if (!existsSync(path)) {
      throw new CliError("KUBECONFIG_NOT_FOUND", `--kubeconfig ${lookup.kubeconfig}: no such file`, {
        fix: "pass the path of an existing kubeconfig, or leave --kubeconfig out to use KUBECONFIG or ~/.kube/config",
      });
    }
    return { source: "--kubeconfig", paths: [path] };
  }
  for (const variable of ["KUBECONFIG", "KUBECONFIG_PRIMARY", "KUBECONFIG_DEV"] as const) {
    const value = env[variable];
    if (!value) continue;
    const listed = value.split(delimiter).filter(Boolean);
    const paths = listed.map((path) => resolve(path)).filter((path) => existsSync(path));
    if (paths.length === 0) {
      throw new CliError("KUBECONFIG_NOT_FOUND", `${variable}=${value}: no such file`, {
        fix: `point ${variable} at an existing kubeconfig, or unset it to use the next place in the order (see pr-pod --help)`,
      });
    }
    return { source: variable, paths };
  }
  const home = lookup.home ?? homedir();
  const defaultPath = join(home, ".kube", "config");
  if (existsSync(defaultPath)) return { source: "~/.kube/config", paths: [defaultPath] };
  if (env.KUBERNETES_SERVICE_HOST && existsSync("/var/run/secrets/kubernetes.io/serviceaccount/token")) {
    return { source: "in-cluster", paths: [] };
  }
  return undefined;
}

/** Loads the chosen kubeconfig with client-node, switching to --context when given. */
export function loadKubeConfig(lookup: KubeconfigLookup & { context?: string } = {}): LoadedKubeConfig {
  const choice = chooseKubeconfig(lookup);
  if (!choice) {
    throw new CliError(
      "NO_KUBECONFIG",
      "no kubeconfig found: looked at --kubeconfig, KUBECONFIG, KUBECONFIG_PRIMARY, KUBECONFIG_DEV and ~/.kube/config",
      {
        fix: "pass --kubeconfig <file>, start a local kind cluster with `pr-pod cluster up`, or see a whole run without any cluster with `pr-pod demo`",
      },
    );
  }
  const kubeConfig = new KubeConfig();
  try {
    if (choice.source === "in-cluster") kubeConfig.loadFromCluster();
    else {
      const [first, ...rest] = choice.paths;
      kubeConfig.loadFromFile(first!);
      for (const path of rest) {
        const more = new KubeConfig();
        more.loadFromFile(path);
        kubeConfig.mergeConfig(more, true);
      }
    }
  } catch (error) {
    throw new CliError(
      "KUBECONFIG_INVALID",
      `${describeChoice(choice)} could not be read: ${(error as Error).message}`,
      { fix: "check the file is a valid kubeconfig (kubectl config view --kubeconfig <file>)", cause: error },
    );
  }
  const contexts = kubeConfig.getContexts().map((context) => context.name);
  if (lookup.context) {
    if (!contexts.includes(lookup.context)) {
      throw new CliError("CONTEXT_NOT_FOUND", `context "${lookup.context}" is not in ${describeChoice(choice)}`, {
        fix: `use one of: ${contexts.join(", ") || "(the file has no contexts)"}`,
      });
    }
    kubeConfig.setCurrentContext(lookup.context);
  }
  const context = kubeConfig.getCurrentContext();
  const cluster = kubeConfig.getCurrentCluster();
  if (!context || !cluster) {
    throw new CliError("KUBECONFIG_INVALID", `${describeChoice(choice)} has no current context with a cluster`, {
      fix: contexts.length
        ? `pass --context with one of: ${contexts.join(", ")}`
        : "add a cluster and context to it, or create one with `pr-pod cluster up`",
    });
  }
  return { kubeConfig, source: choice.source, paths: choice.paths, context, server: cluster.server };
}

export function describeChoice(choice: KubeconfigChoice): string {
  if (choice.source === "in-cluster") return "the in-cluster service account";
  const files = choice.paths.join(delimiter);
  return choice.source === "~/.kube/config" ? files : `${files} (from ${choice.source})`;
}
