// `pr-pod run`: which PR (flags, GitHub API, or the local checkout), which cluster (the kubeconfig,
// kind, or the in-process test cluster), the token, then the runner does the run and run-session
// renders it.
import type { LocalChanges, PullRequestSource, RunPrPodOptions } from "@pr-pod/runner";
import { cleanupCommandLine } from "../cleanup-command.ts";
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { checkLocalChangesFit, collectLocalChanges, describeLocalChanges, hasLocalChanges } from "../local-source.ts";
import { type PullRequestFlags, pullRequestSourceFromFlags } from "../pull-request-flags.ts";
import { runAndRender } from "../run-session.ts";
import { loadRunner } from "../runner-module.ts";
import { loadTokenForRun } from "../token.ts";
import { kindDefaultKubeconfig, kindExecutable, kindLogger } from "./cluster.ts";

export interface RunFlags extends PullRequestFlags {
  image?: string;
  checkout?: "head" | "merge";
  pinBase?: boolean;
  build: boolean;
  bake?: boolean;
  registry?: string;
  insecureRegistry?: boolean;
  registrySecret?: string;
  imageTemplate?: string;
  /** false with --no-cache */
  cache?: boolean;
  builder?: "kubernetes" | "remote" | "docker";
  builderEndpoint?: string;
  verify?: string[];
  timeout?: number;
  config?: string;
  keep?: boolean;
  keepPreview?: boolean;
  createNamespace?: boolean;
  envFile?: string;
  allowForkToken?: boolean;
  report?: "github" | "none";
  reportContext?: string;
  reportUrl?: string;
  reportComment?: boolean;
  cluster: "current" | "test";
  kind?: boolean;
  kindName: string;
  demo?: boolean;
}

/** The run options every run-like command shares, from its flags. */
export function runOptionsFromFlags(environment: CommandEnvironment, flags: Omit<RunFlags, "cluster" | "kindName">) {
  const options: Omit<RunPrPodOptions, "kubeConfig" | "pullRequest" | "signal"> = {};
  if (environment.globals.namespace) options.namespace = environment.globals.namespace;
  if (flags.createNamespace) options.createNamespace = true;
  if (flags.image) options.image = flags.image;
  if (flags.checkout) options.checkout = flags.checkout;
  if (flags.pinBase) {
    if (flags.checkout !== "merge") {
      throw new CliError("USAGE", "--pin-base pins the base of a merge checkout, and --checkout merge is not set", {
        fix: "add --checkout merge, or drop --pin-base",
      });
    }
    options.pinBaseSha = true;
  }
  if (flags.build === false) options.build = false;
  if (flags.bake) options.bake = true;
  const registry: NonNullable<RunPrPodOptions["registry"]> = {
    ...(flags.registry ? { host: flags.registry } : {}),
    ...(flags.insecureRegistry ? { insecure: true } : {}),
    ...(flags.registrySecret ? { credentialsSecret: flags.registrySecret } : {}),
    ...(flags.imageTemplate ? { imageTemplate: flags.imageTemplate } : {}),
    ...(flags.cache === false ? { cache: "none" as const } : {}),
  };
  if (Object.keys(registry).length > 0) options.registry = registry;
  if (flags.builder || flags.builderEndpoint) {
    options.buildx = {
      ...(flags.builder ? { driver: flags.builder } : {}),
      ...(flags.builderEndpoint ? { endpoint: flags.builderEndpoint } : {}),
    };
  }
  if (flags.verify) options.verify = flags.verify;
  if (flags.timeout) options.timeoutSeconds = flags.timeout;
  if (flags.keep) options.keep = true;
  if (flags.config) options.configFile = flags.config;
  if (flags.allowForkToken) options.allowForkToken = true;
  const report = reportFromFlags(flags);
  if (report) options.report = report;
  return options;
}

/** `--report github` (off by default locally) and its settings; GitHub App credentials come from GITHUB_APP_* env. */
function reportFromFlags(flags: Omit<RunFlags, "cluster" | "kindName">): RunPrPodOptions["report"] {
  if (flags.report === "none") return { github: false };
  const settings = {
    ...(flags.reportContext ? { context: flags.reportContext } : {}),
    ...(flags.reportUrl ? { targetUrl: flags.reportUrl } : {}),
    ...(flags.reportComment ? { comment: true } : {}),
    ...(flags.githubApiUrl ? { apiUrl: flags.githubApiUrl } : {}),
  };
  if (flags.report === "github") return { github: settings };
  if (Object.keys(settings).length > 1 || (Object.keys(settings).length === 1 && !flags.githubApiUrl)) {
    throw new CliError("USAGE", "--report-context, --report-url and --report-comment need --report github", {
      fix: "add --report github",
    });
  }
  return undefined;
}

/**
 * `--source DIR`: the checkout's PR context at the newest pushed commit (what the pod clones), plus what
 * only exists locally (unpushed commits, uncommitted changes) for the runner's `localChanges`.
 */
async function localCheckoutSource(
  environment: CommandEnvironment,
  flags: RunFlags,
  directory: string,
): Promise<{ pullRequest: PullRequestSource; localChanges?: LocalChanges }> {
  const { pullRequestContextFromCheckout } = await import("@pr-pod/pr-context");
  let found = await pullRequestContextFromCheckout({
    cwd: directory,
    ...(flags.pr !== undefined ? { pr: flags.pr } : {}),
    ...(flags.baseRef ? { baseRef: flags.baseRef } : {}),
  });
  if (flags.pr === undefined) {
    // No --pr: ask GitHub for the branch's open PR, else a local run without a PR number.
    const { findSourcePullRequest } = await import("../source-pull-request.ts");
    const { optionalToken } = await import("../pull-request-context.ts");
    const token = await optionalToken(environment.env, flags.envFile);
    const lookup = await findSourcePullRequest(found, {
      ...(flags.githubApiUrl ? { apiBaseUrl: flags.githubApiUrl } : {}),
      ...(token ? { token } : {}),
    });
    environment.terminal.info(environment.terminal.style("dim", `--source: ${lookup.note}`));
    if (lookup.number !== undefined) {
      found = await pullRequestContextFromCheckout({
        cwd: directory,
        pr: lookup.number,
        ...(flags.baseRef ? { baseRef: flags.baseRef } : {}),
      });
    }
  }
  // --clone-url: clone from there instead of the remote's URL (a mirror, or a local git server).
  const context = flags.cloneUrl ? { ...found, headCloneUrl: flags.cloneUrl, baseCloneUrl: flags.cloneUrl } : found;
  const changes = await collectLocalChanges(directory);
  const { terminal } = environment;
  const pushed = { kind: "context" as const, context: { ...context, headSha: changes.pushedSha } };
  if (!hasLocalChanges(changes)) {
    terminal.info(
      terminal.style("dim", `--source: nothing unpushed or uncommitted; building ${changes.headSha.slice(0, 7)}`),
    );
    return { pullRequest: pushed };
  }
  if (flags.checkout === "merge") {
    throw new CliError(
      "USAGE",
      "--source with local changes builds the local tree as it is: --checkout merge does not apply",
      {
        fix: "drop --checkout merge, or push the changes first",
      },
    );
  }
  // The 1 MiB ConfigMap limit is the user's to fix: said before any cluster is contacted.
  checkLocalChangesFit(changes);
  terminal.info(
    terminal.style(
      "dim",
      `--source: building ${changes.pushedSha.slice(0, 7)} plus ${describeLocalChanges(changes)}, applied in the pod`,
    ),
  );
  return {
    pullRequest: pushed,
    localChanges: {
      headSha: changes.headSha,
      ...(changes.bundle ? { bundle: changes.bundle } : {}),
      ...(changes.diff ? { diff: changes.diff } : {}),
    },
  };
}

export default async function runCommand(environment: CommandEnvironment, flags: RunFlags): Promise<number> {
  if (flags.demo || (flags.cluster === "test" && !flags.repo && !flags.source)) {
    const { runDemo } = await import("./demo.ts");
    return runDemo(environment, { keep: flags.keep, timeout: flags.timeout, scenario: "succeed" });
  }
  const source = pullRequestSourceFromFlags(flags);
  const { pullRequest, localChanges } =
    source.kind === "local-checkout"
      ? await localCheckoutSource(environment, flags, source.directory)
      : { pullRequest: source, localChanges: undefined };
  // The kubeconfig is checked before the token: with neither, its error points a newcomer at the demo.
  const current = flags.cluster === "current" && !flags.kind ? environment.loadKube() : undefined;
  const token = await loadTokenForRun(environment, flags.envFile);

  let kubeConfig: RunPrPodOptions["kubeConfig"];
  let closeCluster: (() => Promise<void>) | undefined;
  if (current) {
    kubeConfig = current.kubeConfig;
  } else if (flags.cluster === "test") {
    const { startDemoCluster } = await import("./demo.ts");
    const cluster = await startDemoCluster(environment);
    kubeConfig = cluster.kubeConfig;
    closeCluster = cluster.close;
  } else if (flags.kind) {
    const { ensureKindCluster } = await import("@pr-pod/kind-cluster");
    const kind = await kindExecutable(environment);
    environment.terminal.phase(`making sure the kind cluster "${flags.kindName}" is running`);
    const cluster = await ensureKindCluster({
      kind,
      name: flags.kindName,
      kubeconfigPath: kindDefaultKubeconfig(environment.env),
      // As `pr-pod cluster up`: kind's local registry, which the run finds and pushes to.
      localRegistry: true,
      logger: kindLogger(environment),
    });
    environment.terminal.endPhase();
    const { loadKubeConfig } = await import("../kubeconfig.ts");
    kubeConfig = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath, context: cluster.context }).kubeConfig;
  } else {
    throw new Error("unreachable: the cluster is current, test or kind");
  }

  try {
    const runner = await loadRunner();
    return await runAndRender(
      environment,
      runner.runPrPod,
      {
        ...runOptionsFromFlags(environment, flags),
        kubeConfig,
        pullRequest,
        token,
        ...(localChanges ? { localChanges } : {}),
        // When the config file has a `preview` section, the build is deployed as a preview (helm from
        // PR_POD_HELM or PATH): the charts are read from the checkout with --source, else fetched with
        // git at the commit the pod built.
        preview: {
          ...(source.kind === "local-checkout" ? { checkoutDir: source.directory } : {}),
          helmPath: environment.env.PR_POD_HELM ?? "helm",
          keep: flags.keepPreview === true,
        },
      },
      {
        cleanupCommand: (context) =>
          cleanupCommandLine(environment.globals, context ?? { repo: flags.repo, pr: flags.pr }),
      },
    );
  } finally {
    await closeCluster?.();
  }
}
