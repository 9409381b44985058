// The action's inputs, typed. `Inputs` is keyed by the names in action.yml (a test keeps the two in
// step); `getInputs()` is the one place that reads them. Everything else here is pure: it turns
// inputs plus the Actions context into the runner's options, with no I/O of its own.
import * as core from "@actions/core";
import {
  type ActionsContextLike,
  parsePrNumber,
  parseRepoSlug,
  pullRequestContextFromActions,
} from "@pr-pod/pr-context";
import type { PullRequestSource, RunPrPodOptions } from "@pr-pod/runner";

export type ClusterMode = "kind" | "existing";
export type CheckoutMode = "head" | "merge";

/**
 * One field per action.yml input, under the input's own name. The run options are undefined when
 * the input is empty, so a pr-pod config file (or the runner's default) decides them.
 */
export interface Inputs {
  "github-token": string;
  "allow-fork-token": boolean;
  repo: string;
  pr: number | undefined;
  cluster: ClusterMode;
  kubeconfig: string;
  "kind-version": string;
  "kind-cluster-name": string;
  "kind-config": string;
  "kind-node-image": string;
  "kind-registry": boolean;
  namespace: string | undefined;
  "create-namespace": boolean | undefined;
  image: string;
  checkout: CheckoutMode | undefined;
  /** With checkout merge: onto the event's base.sha instead of the base branch's current tip. */
  "pin-base": boolean;
  build: boolean | undefined;
  bake: boolean | undefined;
  /** Push every built image there (host[:port][/prefix]); empty: the config file's, else no push. */
  registry: string;
  "registry-secret": string;
  "insecure-registry": boolean | undefined;
  "image-template": string;
  builder: "kubernetes" | "remote" | "docker" | undefined;
  "builder-endpoint": string;
  verify: string[];
  timeout: number | undefined;
  keep: boolean | undefined;
  /** Deploy and test a preview when the config file has a `preview` section (charts from the workspace). */
  deploy: boolean;
  /** Leave the preview up after the run, annotated to expire after preview-ttl hours. */
  "keep-preview": boolean;
  /** Hours a kept preview lives; undefined: the config file's preview.ttlHours, else 24. */
  "preview-ttl": number | undefined;
  config: string;
  /** github: the verdict on the PR; none: off; undefined: on for pull_request events. */
  feedback: "github" | "none" | undefined;
  "feedback-context": string;
  "feedback-comment": boolean;
}

export type InputName = keyof Inputs;

/** A bad input value: names the input, the value (never for the token) and the accepted values. */
export class ActionInputError extends Error {
  override readonly name = "ActionInputError";
  readonly code = "INVALID_INPUT";
  readonly input: InputName;

  constructor(input: InputName, message: string) {
    super(message);
    this.input = input;
  }
}

/** Reads every input through @actions/core (which reads the runner's INPUT_* variables). */
export function getInputs(): Inputs {
  return parseInputs((name) => core.getInput(name));
}

/**
 * Parses raw input strings. Empty strings get the same defaults action.yml declares, so the bundle
 * behaves the same when something runs it without the runner filling in defaults.
 */
export function parseInputs(read: (name: InputName) => string): Inputs {
  const text = (name: InputName) => read(name).trim();
  return {
    "github-token": read("github-token").trim(),
    "allow-fork-token": parseBoolean("allow-fork-token", text("allow-fork-token"), false),
    repo: text("repo"),
    pr: parseOptionalPrNumber(text("pr")),
    cluster: parseChoice<ClusterMode, "kind">("cluster", text("cluster"), ["kind", "existing"], "kind"),
    kubeconfig: read("kubeconfig"),
    "kind-version": text("kind-version"),
    "kind-cluster-name": text("kind-cluster-name") || "pr-pod",
    "kind-config": text("kind-config"),
    "kind-node-image": text("kind-node-image"),
    "kind-registry": parseBoolean("kind-registry", text("kind-registry"), true),
    namespace: text("namespace") || undefined,
    "create-namespace": parseBoolean("create-namespace", text("create-namespace"), undefined),
    image: text("image"),
    checkout: parseChoice<CheckoutMode, undefined>("checkout", text("checkout"), ["head", "merge"], undefined),
    "pin-base": parseBoolean("pin-base", text("pin-base"), false),
    build: parseBoolean("build", text("build"), undefined),
    bake: parseBoolean("bake", text("bake"), undefined),
    registry: text("registry"),
    "registry-secret": text("registry-secret"),
    "insecure-registry": parseBoolean("insecure-registry", text("insecure-registry"), undefined),
    "image-template": text("image-template"),
    builder: parseChoice<"kubernetes" | "remote" | "docker", undefined>(
      "builder",
      text("builder"),
      ["kubernetes", "remote", "docker"],
      undefined,
    ),
    "builder-endpoint": text("builder-endpoint"),
    verify: parseList(read("verify")),
    timeout: parseOptionalWhole("timeout", text("timeout"), "seconds", "900"),
    keep: parseBoolean("keep", text("keep"), undefined),
    deploy: parseBoolean("deploy", text("deploy"), true),
    "keep-preview": parseBoolean("keep-preview", text("keep-preview"), false),
    "preview-ttl": parseOptionalWhole("preview-ttl", text("preview-ttl"), "hours", "48"),
    config: text("config"),
    feedback: parseChoice<"github" | "none", undefined>("feedback", text("feedback"), ["github", "none"], undefined),
    "feedback-context": text("feedback-context"),
    "feedback-comment": parseBoolean("feedback-comment", text("feedback-comment"), false),
  };
}

// YAML 1.2 core schema booleans, the set @actions/core's getBooleanInput accepts.
const TRUE_WORDS = new Set(["true", "True", "TRUE"]);
const FALSE_WORDS = new Set(["false", "False", "FALSE"]);

function parseBoolean<T extends boolean | undefined>(name: InputName, value: string, fallback: T): boolean | T {
  if (value === "") return fallback;
  if (TRUE_WORDS.has(value)) return true;
  if (FALSE_WORDS.has(value)) return false;
  throw new ActionInputError(name, `input ${name} is ${JSON.stringify(value)}: set it to true or false`);
}

function parseChoice<T extends string, F extends T | undefined>(
  name: InputName,
  value: string,
  choices: readonly T[],
  fallback: F,
): T | F {
  if (value === "") return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ActionInputError(name, `input ${name} is ${JSON.stringify(value)}: set it to one of ${choices.join(", ")}`);
}

function parseOptionalPrNumber(value: string): number | undefined {
  if (value === "") return undefined;
  try {
    return parsePrNumber(value);
  } catch {
    throw new ActionInputError("pr", `input pr is ${JSON.stringify(value)}: set it to a pull request number, e.g. 123`);
  }
}

/** A positive whole number of `unit`s (e.g. "seconds", with "900" as the example), or undefined when empty. */
function parseOptionalWhole(name: InputName, value: string, unit: string, example: string): number | undefined {
  if (value === "") return undefined;
  const whole = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(whole) || whole < 1) {
    throw new ActionInputError(
      name,
      `input ${name} is ${JSON.stringify(value)}: set it to whole ${unit}, e.g. ${example}`,
    );
  }
  return whole;
}

/** One item per line or per comma, blanks dropped: the two list shapes workflows use. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** What the action knows about the workflow run (from `@actions/github`'s `context`). */
export interface ActionsRun extends ActionsContextLike {
  /** GITHUB_REPOSITORY, `owner/name`. */
  repository: string;
  /** GITHUB_API_URL (GitHub Enterprise Server has its own). */
  apiUrl: string;
  /** GITHUB_SERVER_URL and GITHUB_RUN_ID: the workflow run the PR's status links to. */
  serverUrl?: string;
  runId?: number;
}

const FEEDBACK_EVENTS = new Set(["pull_request", "pull_request_target"]);

/**
 * Where the verdict goes: on by default for pull_request events (a commit status with github-token,
 * a check run when it has `checks: write`), linked to this workflow run; the feedback input turns it
 * on for other events or off. The config file's report section can still switch it on when unset.
 */
export function feedbackFor(inputs: Inputs, run: ActionsRun): RunPrPodOptions["report"] | undefined {
  if (inputs.feedback === "none") return { github: false };
  if (inputs.feedback === undefined && !FEEDBACK_EVENTS.has(run.eventName)) return undefined;
  const targetUrl =
    run.serverUrl && run.runId
      ? `${run.serverUrl.replace(/\/+$/, "")}/${run.repository}/actions/runs/${run.runId}`
      : undefined;
  return {
    github: {
      apiUrl: run.apiUrl,
      ...(targetUrl ? { targetUrl } : {}),
      ...(inputs["feedback-context"] ? { context: inputs["feedback-context"] } : {}),
      ...(inputs["feedback-comment"] ? { comment: true } : {}),
    },
  };
}

/**
 * Where the runner learns which PR it builds: the event's own pull request (pull_request and
 * pull_request_target), or, with the `pr` input, the GitHub API. Any other event without `pr`
 * fails with an error that says how to fix it.
 */
export function pullRequestSourceFor(
  inputs: Pick<Inputs, "repo" | "pr">,
  run: ActionsRun,
): Extract<PullRequestSource, { kind: "context" | "github-api" }> {
  if (inputs.pr !== undefined) {
    const slug = inputs.repo || run.repository;
    try {
      parseRepoSlug(slug);
    } catch {
      throw new ActionInputError(
        "repo",
        `input repo is ${JSON.stringify(slug)}: set it to owner/name, e.g. octo-org/hello-world`,
      );
    }
    return { kind: "github-api", repo: slug, pr: inputs.pr, apiBaseUrl: run.apiUrl };
  }
  if (inputs.repo !== "") {
    throw new ActionInputError("pr", `input repo is set to ${JSON.stringify(inputs.repo)} but pr is not: set pr too`);
  }
  return { kind: "context", context: pullRequestContextFromActions(run) };
}

/**
 * The runner's options from the inputs; the cluster, the PR and the signal come from the caller.
 * Only inputs that are set become options, so a config file fills in the rest. allowForkToken is
 * always set: whether a fork's pod gets the token is the workflow's decision, never a file's.
 */
export function runOptionsFor(
  inputs: Inputs,
  parts: Pick<RunPrPodOptions, "kubeConfig" | "pullRequest" | "signal">,
): RunPrPodOptions {
  const options: RunPrPodOptions = { ...parts, allowForkToken: inputs["allow-fork-token"] };
  if (inputs.namespace !== undefined) options.namespace = inputs.namespace;
  if (inputs["create-namespace"] !== undefined) options.createNamespace = inputs["create-namespace"];
  if (inputs.checkout !== undefined) options.checkout = inputs.checkout;
  if (inputs["pin-base"]) {
    if (inputs.checkout !== "merge") {
      throw new ActionInputError(
        "pin-base",
        "input pin-base is true: it pins the base of checkout merge; set checkout: merge, or drop pin-base",
      );
    }
    options.pinBaseSha = true;
  }
  if (inputs.build !== undefined) options.build = inputs.build;
  if (inputs.bake !== undefined) options.bake = inputs.bake;
  const registry: NonNullable<RunPrPodOptions["registry"]> = {
    ...(inputs.registry ? { host: inputs.registry } : {}),
    ...(inputs["registry-secret"] ? { credentialsSecret: inputs["registry-secret"] } : {}),
    ...(inputs["insecure-registry"] !== undefined ? { insecure: inputs["insecure-registry"] } : {}),
    ...(inputs["image-template"] ? { imageTemplate: inputs["image-template"] } : {}),
  };
  if (Object.keys(registry).length > 0) options.registry = registry;
  if (inputs.builder || inputs["builder-endpoint"]) {
    options.buildx = {
      ...(inputs.builder ? { driver: inputs.builder } : {}),
      ...(inputs["builder-endpoint"] ? { endpoint: inputs["builder-endpoint"] } : {}),
    };
  }
  if (inputs.keep !== undefined) options.keep = inputs.keep;
  if (inputs["github-token"] !== "") options.token = inputs["github-token"];
  if (inputs.image !== "") options.image = inputs.image;
  if (inputs.verify.length > 0) options.verify = inputs.verify;
  if (inputs.timeout !== undefined) options.timeoutSeconds = inputs.timeout;
  if (inputs.config !== "") options.configFile = inputs.config;
  return options;
}

/**
 * The preview the run deploys when the config file has a `preview` section: as `pr-pod run --repo
 * --pr`, the runner fetches the charts at the commit the pod built (so they match the images, whatever
 * the workspace holds), helm is `helmPath`. Undefined when deploy is false. keep-preview and
 * preview-ttl only mean something for a deployed preview, and preview-ttl only for a kept one: a
 * mismatch is an error, not ignored.
 */
export function previewOptionsFor(
  inputs: Pick<Inputs, "deploy" | "keep-preview" | "preview-ttl">,
  where: { helmPath: string },
): RunPrPodOptions["preview"] {
  if (!inputs.deploy) {
    if (inputs["keep-preview"]) {
      throw new ActionInputError(
        "keep-preview",
        "input keep-preview is true but deploy is false: there is no preview to keep; set deploy: true, or drop keep-preview",
      );
    }
    if (inputs["preview-ttl"] !== undefined) {
      throw new ActionInputError(
        "preview-ttl",
        "input preview-ttl is set but deploy is false: there is no preview to keep; set deploy: true, or drop preview-ttl",
      );
    }
    return undefined;
  }
  if (inputs["preview-ttl"] !== undefined && !inputs["keep-preview"]) {
    throw new ActionInputError(
      "preview-ttl",
      `input preview-ttl is ${inputs["preview-ttl"]} but keep-preview is not true: the preview is torn down at the end of the run; set keep-preview: true, or drop preview-ttl`,
    );
  }
  return {
    helmPath: where.helmPath,
    keep: inputs["keep-preview"],
    ...(inputs["preview-ttl"] !== undefined ? { ttlHours: inputs["preview-ttl"] } : {}),
  };
}

// kubeconfig fields whose values are credentials (https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/).
const KUBECONFIG_SECRET_FIELDS = [
  "token",
  "client-key-data",
  "client-certificate-data",
  "password",
  "id-token",
  "refresh-token",
];

/**
 * The credential values inside a kubeconfig, to mask before anything could print them. Masking
 * them one by one matters: the runner masks a multi-line secret only as a whole.
 */
export function kubeconfigSecretsToMask(kubeconfig: string): string[] {
  const secrets = new Set<string>();
  for (const line of kubeconfig.split(/\r?\n/)) {
    const match = /^\s*(?:-\s+)?["']?([a-z-]+)["']?\s*:\s*(.+?)\s*$/.exec(line);
    if (!match || !KUBECONFIG_SECRET_FIELDS.includes(match[1] ?? "")) continue;
    const value = (match[2] ?? "").replace(/^["']|["']$/g, "");
    if (value.length >= 4) secrets.add(value);
  }
  return [...secrets];
}
