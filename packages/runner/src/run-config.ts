// `pr-pod.config.json` / `pr-pod.config.yaml`: the options a repository keeps next to its code.
// Loading is the only I/O here; validation is strict so a typo in a key fails loudly instead of
// being ignored (the error names the file, the key and what it should be).
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RegistryOptions } from "@pr-pod/k8s-job-builder";
import type { GitHubReportSettings } from "@pr-pod/pr-feedback";
import { parse as parseYaml } from "yaml";
import {
  type Check,
  isBoolean,
  isObjectOf,
  isPositiveInteger,
  isString,
  isStringList,
  isStringMap,
  problem,
} from "./config-checks.ts";
import { type PreviewConfig, validatePreviewConfig } from "./preview-config.ts";
import type { BuildxOptions } from "./run-events.ts";
import { RunnerError } from "./runner-error.ts";

/** Container resources, as in a Pod spec (`cpu: "500m"`, `memory: "1Gi"`). */
export interface ResourceSettings {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** What a config file may set. Flags and options given to runPrPod win over it. */
export interface RunConfig {
  image?: string;
  namespace?: string;
  createNamespace?: boolean;
  checkout?: "head" | "merge";
  build?: boolean;
  bake?: boolean;
  /** Files that must exist in the clone. */
  verify?: string[];
  /** Whole-run deadline in seconds. */
  timeoutSeconds?: number;
  /** How long the pod may wait for a node before the run fails. */
  unschedulableGraceSeconds?: number;
  keep?: boolean;
  allowForkToken?: boolean;
  /** buildx Kubernetes driver options (`--driver-opt`): replicas, requests, limits, rootless, serviceAccount, timeout, image, nodeSelector. */
  buildx?: BuildxOptions;
  /** Where built images are pushed: host, imageTemplate, insecure, credentialsSecret, cache. */
  registry?: RegistryOptions;
  resources?: ResourceSettings;
  /** Feedback on the pull request; `github.enabled: true` turns it on for every run of this config. */
  report?: { github?: ConfigGitHubReport };
  /** After a successful build: deploy these charts into a preview namespace, test, tear down (see preview-stages.ts). */
  preview?: PreviewConfig;
}

/** The config file's `report.github`: where and how the verdict is shown (no credentials here). */
export type ConfigGitHubReport = Pick<
  GitHubReportSettings,
  "context" | "targetUrl" | "checkRun" | "comment" | "apiUrl"
> & {
  enabled?: boolean;
};

export const CONFIG_FILE_NAMES = ["pr-pod.config.json", "pr-pod.config.yaml", "pr-pod.config.yml"] as const;

export interface LoadRunConfigOptions {
  /** An explicit file (it must exist). */
  configFile?: string;
  /** Folders searched in order for the default names; default the current directory. */
  searchDirs?: string[];
}

export interface LoadedRunConfig {
  /** The file read, or undefined when there was none. */
  path?: string;
  config: RunConfig;
}

/** Reads and validates the config file: the given one, or the first default name found. */
export async function loadRunConfig(options: LoadRunConfigOptions = {}): Promise<LoadedRunConfig> {
  if (options.configFile) {
    const file = path.resolve(options.configFile);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        throw new RunnerError(
          "CONFIG_NOT_FOUND",
          `config file ${file} does not exist: fix the path or leave the option out`,
        );
      }
      throw new RunnerError("INVALID_CONFIG", `cannot read config file ${file}: ${error.message}`, { cause: error });
    });
    return { path: file, config: parseRunConfig(text, file) };
  }
  for (const dir of options.searchDirs ?? [process.cwd()]) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = path.resolve(dir, name);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw new RunnerError("INVALID_CONFIG", `cannot read config file ${file}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return { path: file, config: parseRunConfig(text, file) };
    }
  }
  return { config: {} };
}

/** Parses JSON (for `.json`) or YAML (otherwise) and validates every key. Pure. */
export function parseRunConfig(text: string, file: string): RunConfig {
  let raw: unknown;
  try {
    raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new RunnerError(
      "INVALID_CONFIG",
      `config file ${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (raw === null || raw === undefined) return {};
  return validateRunConfig(raw, file);
}

const RUN_CONFIG_FIELDS: Record<keyof RunConfig, Check> = {
  image: isString,
  namespace: isString,
  createNamespace: isBoolean,
  checkout: (value, where) => {
    if (value !== "head" && value !== "merge") throw problem(where, '"head" or "merge"', value);
    return value;
  },
  build: isBoolean,
  bake: isBoolean,
  verify: isStringList,
  timeoutSeconds: isPositiveInteger,
  unschedulableGraceSeconds: isPositiveInteger,
  keep: isBoolean,
  allowForkToken: isBoolean,
  buildx: isObjectOf({
    replicas: isPositiveInteger,
    requests: isObjectOf({ cpu: isString, memory: isString }),
    limits: isObjectOf({ cpu: isString, memory: isString }),
    rootless: isBoolean,
    serviceAccount: isString,
    timeout: isString,
    image: isString,
    nodeSelector: isStringMap,
    driver: (value, where) => {
      if (value !== "kubernetes" && value !== "remote" && value !== "docker") {
        throw problem(where, '"kubernetes", "remote" or "docker"', value);
      }
      return value;
    },
    endpoint: isString,
  }),
  registry: isObjectOf({
    host: isString,
    imageTemplate: isString,
    insecure: isBoolean,
    credentialsSecret: isString,
    cache: (value, where) => {
      if (value !== "registry" && value !== "none") throw problem(where, '"registry" or "none"', value);
      return value;
    },
  }),
  resources: isObjectOf({ requests: isStringMap, limits: isStringMap }),
  preview: validatePreviewConfig,
  report: isObjectOf({
    github: isObjectOf({
      enabled: isBoolean,
      context: isString,
      targetUrl: (value, where) => {
        if (typeof value !== "string" || !/^https?:\/\/\S+$/.test(value)) throw problem(where, "an http(s) URL", value);
        return value;
      },
      checkRun: (value, where) => {
        if (value !== "auto" && value !== "never") throw problem(where, '"auto" or "never"', value);
        return value;
      },
      comment: isBoolean,
      apiUrl: isString,
    }),
  }),
};

/** Checks a parsed config object; `file` names it in errors. */
export function validateRunConfig(raw: unknown, file: string): RunConfig {
  return isObjectOf(RUN_CONFIG_FIELDS)(raw, `${file}:`) as RunConfig;
}
