// Merges what a run is told: options passed to runPrPod (the CLI's flags, the action's inputs) win
// over the config file, which wins over the defaults. Pure.
import type { RegistryOptions } from "@pr-pod/k8s-job-builder";
import type { GitHubReportSettings } from "@pr-pod/pr-feedback";
import type { PreviewConfig } from "./preview-config.ts";
import type { ResourceSettings, RunConfig } from "./run-config.ts";
import type { BuildxOptions, RunPrPodOptions } from "./run-events.ts";
import { RunnerError } from "./runner-error.ts";

export const DEFAULT_IMAGE = "docker:24-git";
export const DEFAULT_NAMESPACE = "default";
export const DEFAULT_TIMEOUT_SECONDS = 1800;
export const DEFAULT_UNSCHEDULABLE_GRACE_SECONDS = 120;

/** Everything a run needs to know, with every default filled in. */
export interface RunSettings {
  namespace: string;
  createNamespace: boolean;
  image: string;
  checkout: "head" | "merge";
  /** Checkout merge onto the context's baseSha instead of the base branch's tip (options only). */
  pinBaseSha: boolean;
  build: boolean;
  bake: boolean;
  /** undefined: the file-verifier's default list. */
  verify?: string[];
  timeoutSeconds: number;
  unschedulableGraceSeconds: number;
  keep: boolean;
  allowForkToken: boolean;
  buildx: BuildxOptions;
  /** Where images are pushed (options over the config file's `registry`), when a host is known. */
  registry?: RegistryOptions;
  resources?: ResourceSettings;
  /** The config file the settings came from, when there was one. */
  configFile?: string;
  /** Feedback on the pull request, when it is on (options over the config file's `report.github`). */
  report?: { github?: GitHubReportSettings };
  /** The config file's `preview` section, when it has one. */
  preview?: PreviewConfig;
}

/** `report.github`: on when the options say so, or the options are silent and the config enables it. */
function mergeGitHubReport(
  option: RunPrPodOptions["report"],
  config: RunConfig["report"],
): GitHubReportSettings | undefined {
  const fromOption = option?.github;
  const { enabled, ...fromConfig } = config?.github ?? {};
  if (fromOption === false) return undefined;
  if (fromOption === undefined && enabled !== true) return undefined;
  return { ...fromConfig, ...(typeof fromOption === "object" ? fromOption : {}) };
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Options over config over defaults; throws INVALID_INPUT naming the option when a value is unusable. */
export function mergeRunSettings(
  options: Partial<RunPrPodOptions>,
  config: RunConfig,
  configFile?: string,
): RunSettings {
  const pick = <K extends keyof RunPrPodOptions & keyof RunConfig>(key: K) => options[key] ?? config[key];
  const settings: RunSettings = {
    namespace: pick("namespace") ?? DEFAULT_NAMESPACE,
    createNamespace: pick("createNamespace") ?? false,
    image: pick("image") ?? DEFAULT_IMAGE,
    checkout: pick("checkout") ?? "head",
    pinBaseSha: options.pinBaseSha ?? false,
    build: pick("build") ?? true,
    bake: pick("bake") ?? false,
    timeoutSeconds: pick("timeoutSeconds") ?? DEFAULT_TIMEOUT_SECONDS,
    unschedulableGraceSeconds: pick("unschedulableGraceSeconds") ?? DEFAULT_UNSCHEDULABLE_GRACE_SECONDS,
    keep: pick("keep") ?? false,
    allowForkToken: pick("allowForkToken") ?? false,
    buildx: { ...config.buildx, ...options.buildx },
  };
  const registry = { ...config.registry, ...options.registry };
  if (registry.host) settings.registry = registry as RegistryOptions;
  else if (Object.keys(registry).length > 0) {
    throw new RunnerError(
      "INVALID_INPUT",
      `registry settings (${Object.keys(registry).join(", ")}) without a registry: add --registry <host> or registry.host in the config file`,
    );
  }
  const verify = pick("verify");
  if (verify !== undefined) settings.verify = verify;
  const resources = options.resources ?? config.resources;
  if (resources !== undefined) settings.resources = resources;
  if (configFile !== undefined) settings.configFile = configFile;
  const github = mergeGitHubReport(options.report, config.report);
  if (github) settings.report = { github };
  if (config.preview) settings.preview = config.preview;

  if (!DNS_1123_LABEL.test(settings.namespace) || settings.namespace.length > 63) {
    throw new RunnerError(
      "INVALID_INPUT",
      `namespace ${JSON.stringify(settings.namespace)} is not a valid Kubernetes namespace name: use lowercase letters, digits and '-', at most 63 characters`,
    );
  }
  if (!Number.isInteger(settings.timeoutSeconds) || settings.timeoutSeconds <= 0) {
    throw new RunnerError(
      "INVALID_INPUT",
      `timeoutSeconds ${settings.timeoutSeconds} must be a whole number of seconds above 0`,
    );
  }
  if (settings.image.trim() === "" || /\s/.test(settings.image)) {
    throw new RunnerError(
      "INVALID_INPUT",
      `image ${JSON.stringify(settings.image)} is not an image reference: e.g. docker:24-git`,
    );
  }
  return settings;
}
