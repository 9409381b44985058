// The command tree: every command, its flags, its --help examples. Each command's body lives in
// commands/<name>.ts and is loaded only when that command runs, so `--help` stays instant.
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { type CommandBody, commandAction, type ProgramState } from "./command-environment.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import { addPullRequestFlags, parseDurationSeconds } from "./pull-request-flags.ts";
import { redactorFor, tokensInEnvironment } from "./redaction.ts";
import { renderError } from "./render-error.ts";
import { OUTPUT_MODES, Terminal } from "./terminal.ts";

const kubeconfigOrder = `Kubeconfig, first match wins:
  1. --kubeconfig <file>
  2. KUBECONFIG (a list of files, merged like kubectl)
  3. KUBECONFIG_PRIMARY
  4. KUBECONFIG_DEV
  5. ~/.kube/config
  6. the in-cluster service account
A level that is set but names no file is an error, not a silent fall through.`;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

function lazy<Options>(load: () => Promise<{ default: CommandBody<Options> }>): CommandBody<Options> {
  return async (environment, options, args) => (await load()).default(environment, options, args);
}

function addRunOptions(command: Command): Command {
  return command
    .option("--image <image>", "the pod's container image (default docker:24-git)")
    .addOption(
      new Option("--checkout <mode>", "head: the PR head as is; merge: merged onto the base like Prow").choices([
        "head",
        "merge",
      ]),
    )
    .option(
      "--pin-base",
      "with --checkout merge: merge onto the PR's recorded base commit instead of the base branch's current tip",
    )
    .option("--no-build", "verify and detect only, build nothing")
    .option("--bake", "use docker buildx bake when a bake or compose file exists")
    .option("--registry <host>", "tag and push every built image there: host[:port][/prefix], e.g. ghcr.io/acme")
    .option("--insecure-registry", "the registry speaks plain HTTP (never assumed)")
    .option("--registry-secret <name>", "kubernetes.io/dockerconfigjson Secret in the namespace with push credentials")
    .option("--image-template <template>", "image names (default {registry}/{owner}/{repo}/{target}:pr-{pr}-{sha7})")
    .option("--no-cache", "no registry build cache (default: <image>:buildcache in the registry)")
    .addOption(
      new Option(
        "--builder <driver>",
        "BuildKit: kubernetes pods (default), remote endpoint, or a docker engine",
      ).choices(["kubernetes", "remote", "docker"]),
    )
    .option("--builder-endpoint <url>", "for --builder remote|docker: tcp://host:port, unix:///path")
    .option("--verify <files...>", "files that must exist in the clone (default package.json README.md Dockerfile)")
    .option("--timeout <duration>", "deadline for the whole run: 600, 10m, 1h30m", parseDurationSeconds)
    .option("--config <file>", "pr-pod.config.json|yaml with defaults (otherwise looked up in the current folder)");
}

function addClusterRunOptions(command: Command): Command {
  return command
    .option("--keep", "leave the run's objects in the cluster afterwards (clean up later with pr-pod cleanup)")
    .option(
      "--keep-preview",
      "keep the deployed preview for its ttlHours (with a preview section in the config file; pr-pod preview expire removes it)",
    )
    .option("--create-namespace", "create the namespace when it does not exist")
    .option(
      "--env-file <file>",
      "env file searched for GITHUB_PAT/GITHUB_TOKEN (default: web/.env at the repository root)",
    )
    .option("--allow-fork-token", "give a PR from a fork the token too (off by default)")
    .addOption(
      new Option(
        "--report <where>",
        "github: show the verdict on the PR (commit status, or a check run with an App token); none: turn off the config file's report",
      ).choices(["github", "none"]),
    )
    .option("--report-context <name>", "status context / check run name on the PR (default pr-pod)")
    .option("--report-url <url>", "the link the PR's status points to (target_url)")
    .option("--report-comment", "also keep one PR comment with the summary, updated on each run");
}

export function createProgram(state: ProgramState): Command {
  const program = new Command("pr-pod")
    .description("Run a pull request's build as a Kubernetes pod, watch it live, and get a verdict.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .addOption(
      new Option("-o, --output <mode>", "result format on stdout; progress and logs go to stderr")
        .choices(OUTPUT_MODES)
        .default("text"),
    )
    .option("--kubeconfig <file>", "kubeconfig to use (see the order below)")
    .option("--context <name>", "kubeconfig context to use instead of the current one")
    .option("-n, --namespace <namespace>", "namespace of the run's objects (default: default)")
    .option("--debug", "show stack traces on errors")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `${examples(
        "pr-pod run --repo octo/app --pr 123",
        "pr-pod demo                       # a whole run on an in-process cluster, no setup",
        "pr-pod render --repo octo/app --pr 123 --sha 3f2a... --head-ref fix --base-ref main | kubectl apply -f -",
        "pr-pod status --all -o json",
      )}\n${kubeconfigOrder}\n\nExit codes: 0 success, 1 run failed, pod stage codes as documented, 64 usage, 65 bad input,\n68 GitHub, 69 cluster unreachable, 70 internal, 77 forbidden, 78 missing token, 124 timeout, 130 Ctrl-C.\n`,
    );

  const run = addPullRequestFlags(
    program.command("run").description("run a pull request's build as a pod, stream its log, and give a verdict"),
    { source: true },
  );
  addClusterRunOptions(addRunOptions(run))
    .addOption(
      new Option(
        "--cluster <where>",
        "current: the kubeconfig's cluster; test: an in-process test cluster (demo/test mode)",
      )
        .choices(["current", "test"])
        .default("current"),
    )
    .option("--kind", "when no cluster is reachable, bring up a kind cluster first (pr-pod cluster up)")
    .option("--kind-name <name>", "kind cluster name for --kind", "pr-pod")
    .option("--demo", "build a generated demo repository served from a local git server (implies --cluster test)")
    .addHelpText(
      "after",
      examples(
        "pr-pod run --repo octo/app --pr 123",
        "pr-pod run --repo octo/app --pr 123 --sha 3f2a9c1... --head-ref fix-login --base-ref main   # offline",
        "pr-pod run --source .                       # this checkout, unpushed and uncommitted work included",
        "pr-pod run --repo octo/app --pr 123 --kind  # start a kind cluster first if none is reachable",
        "pr-pod run --repo octo/app --pr 123 --checkout merge --verify package.json Dockerfile --timeout 15m",
        "pr-pod run --cluster test --demo            # same as pr-pod demo",
        "pr-pod run --repo octo/app --pr 123 -o json > result.json",
      ),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/run.ts")),
      ),
    );

  addRunOptions(
    addPullRequestFlags(
      program.command("render").description("print the run's Kubernetes manifests as YAML (no cluster needed)"),
    ),
  )
    .addHelpText(
      "after",
      examples(
        "pr-pod render --repo octo/app --pr 123 --sha 3f2a9c1... --head-ref fix-login --base-ref main",
        "pr-pod render --repo octo/app --pr 123 | kubectl apply -f -",
        "pr-pod render --repo octo/app --pr 123 -n ci | kubectl create --dry-run=server -f -",
      ),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/render.ts")),
        { usesCluster: false },
      ),
    );

  addClusterRunOptions(
    addRunOptions(
      addPullRequestFlags(
        program
          .command("simulate")
          .description("feed a pull_request webhook payload through the path a real webhook takes, and run it")
          .option("--event <file>", "a pull_request event payload as GitHub sends it (JSON)")
          .addOption(
            new Option("--action <action>", "the event action when the payload is made from flags")
              .choices(["opened", "synchronize", "reopened", "edited", "ready_for_review"])
              .default("synchronize"),
          )
          .option("--base-sha <sha>", "the target branch's commit, for a payload made from offline flags")
          .option("--print-payload", "print the payload and the pull request it resolves to, and stop (no cluster)")
          .option(
            "--to <url>",
            "POST the payload, signed with PR_POD_WEBHOOK_SECRET, to a running pr-pod serve (http://localhost:8080/webhook)",
          )
          .option("--webhook-secret-file <file>", "with --to: the webhook secret from a file instead of the env"),
      ),
    ),
  )
    .addOption(
      new Option("--cluster <where>", "current: the kubeconfig's cluster; test: an in-process test cluster")
        .choices(["current", "test"])
        .default("current"),
    )
    .addHelpText(
      "after",
      examples(
        "pr-pod simulate --event pull_request.json",
        "pr-pod simulate --repo octo/app --pr 123 --action opened",
        "pr-pod simulate --event pull_request.json --print-payload -o json",
        "pr-pod simulate --event pull_request.json --to http://localhost:8080/webhook",
      ),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/simulate.ts")),
      ),
    );

  const integer = (name: string) => (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0)
      throw new InvalidArgumentError(`${name} takes a whole number, not ${value}`);
    return number;
  };
  addRunOptions(
    program
      .command("serve")
      .description("receive GitHub webhooks and run every pull request (the webhook service; JSON logs on stdout)"),
  )
    .addOption(new Option("--port <port>", "port to listen on").env("PORT").default(8080).argParser(integer("--port")))
    .option("--host <address>", "address to listen on (default 127.0.0.1; 0.0.0.0 inside a cluster)")
    .option("--webhook-secret-file <file>", "the webhook secret from a file (default: PR_POD_WEBHOOK_SECRET)")
    .addOption(new Option("--max-running <n>", "runs at once").default(4).argParser(integer("--max-running")))
    .addOption(
      new Option("--max-running-per-repo <n>", "runs at once per repository")
        .default(2)
        .argParser(integer("--max-running-per-repo")),
    )
    .addOption(
      new Option("--max-queued <n>", "runs waiting; beyond it deliveries get 503 + Retry-After")
        .default(100)
        .argParser(integer("--max-queued")),
    )
    .addOption(
      new Option("--forks <policy>", "fork PRs: label (after a collaborator adds --ok-to-test-label), always, never")
        .choices(["label", "always", "never"])
        .default("label"),
    )
    .option("--ok-to-test-label <name>", "the label that approves a fork PR (default ok-to-test)")
    .option("--drafts", "run draft PRs too (skipped by default)")
    .option("--require-label <names...>", "run only PRs with one of these labels")
    .option(
      "--installation-id <ids...>",
      "serve only these GitHub App installations",
      (value, previous: number[] = []) => [...previous, integer("--installation-id")(value)],
    )
    .option("--instance <name>", "this replica's stable name (default PR_POD_INSTANCE, else the host name)")
    .addOption(
      new Option("--shutdown-grace <seconds>", "on SIGTERM, how long running runs may go on before they are aborted")
        .default(60)
        .argParser(integer("--shutdown-grace")),
    )
    .addOption(
      new Option(
        "--lease <seconds>",
        "this replica's lease: if it is not renewed for this long, another replica takes its unfinished deliveries over",
      )
        .default(30)
        .argParser(integer("--lease")),
    )
    .option("--env-file <file>", "env file searched for GITHUB_PAT/GITHUB_TOKEN")
    .option("--allow-fork-token", "give fork PRs' pods the token too (off by default)")
    .option(
      "--deploy-previews",
      "after a successful build, deploy and test the preview a PR's own pr-pod.config.yaml declares (helm: PR_POD_HELM, else helm on PATH)",
    )
    .option(
      "--keep-previews",
      "with --deploy-previews: leave each preview up for --preview-ttl hours (or until the PR closes)",
    )
    .addOption(
      new Option(
        "--preview-ttl <hours>",
        "how long a kept preview stays (default: the repository's preview.ttlHours)",
      ).argParser(integer("--preview-ttl")),
    )
    .addOption(
      new Option("--report <where>", "github (default with a token): statuses on the PRs; none: no feedback").choices([
        "github",
        "none",
      ]),
    )
    .option("--report-context <name>", "status context / check run name on the PR (default pr-pod)")
    .option("--github-api-url <url>", "GitHub REST API root (GitHub Enterprise Server: https://HOST/api/v3)")
    .addHelpText(
      "after",
      examples(
        "PR_POD_WEBHOOK_SECRET=... GITHUB_PAT=... pr-pod serve -n ci --port 8080",
        "npx smee-client --url https://smee.io/XXXX --target http://localhost:8080/webhook",
        "pr-pod simulate --repo octo/app --pr 123 --action opened --to http://localhost:8080/webhook",
      ),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/serve.ts")),
      ),
    );

  program
    .command("status")
    .description("list pr-pod runs in the cluster and how they are doing")
    .option("--repo <owner/name>", "only runs for this repository")
    .option("--pr <number>", "only runs for this pull request (with --repo)", (value) => Number(value))
    .option("--all", "every pr-pod run (the default without --repo)")
    .option("-A, --all-namespaces", "look in every namespace")
    .addHelpText(
      "after",
      examples("pr-pod status", "pr-pod status --repo octo/app --pr 123", "pr-pod status --all -o json"),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/status.ts")),
      ),
    );

  program
    .command("logs")
    .description("print a run's pod log (by run name, as pr-pod status shows it)")
    .argument("<run>", "the run's name: pr-pod-<repo>-<pr>-<sha7>")
    .option("-f, --follow", "keep streaming until the pod ends")
    .option("--timestamps", "prefix each line with its timestamp")
    .addHelpText("after", examples("pr-pod logs pr-pod-app-123-3f2a9c1", "pr-pod logs pr-pod-app-123-3f2a9c1 -f"))
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/logs.ts")),
      ),
    );

  program
    .command("cleanup")
    .description("delete everything pr-pod created for a pull request, or for all of them (by label)")
    .option("--repo <owner/name>", "the repository")
    .option("--pr <number>", "the pull request (with --repo)", (value) => Number(value))
    .option("--all", "every pr-pod object in the namespace")
    .addHelpText("after", examples("pr-pod cleanup --repo octo/app --pr 123", "pr-pod cleanup --all -n ci"))
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/cleanup.ts")),
      ),
    );

  const preview = program
    .command("preview")
    .description(
      "the preview namespaces pr-pod deployed charts into: list them, read their logs, delete one, delete the expired",
    );
  preview
    .command("list")
    .description("list the previews, with their repository, pull request and keep time")
    .addHelpText("after", examples("pr-pod preview list", "pr-pod preview list -o json"))
    .action(
      commandAction(
        state,
        lazy(async () => ({ default: (await import("./commands/preview.ts")).listPreviewsCommand })),
      ),
    );
  preview
    .command("logs")
    .description("print the logs of a preview's pods (its Deployments' and test Jobs' containers)")
    .argument("[namespace]", "the preview's namespace (or use --repo and --pr)")
    .option("--repo <owner/name>", "the repository")
    .option("--pr <number>", "the pull request (with --repo)", (value) => Number(value))
    .option("-f, --follow", "keep streaming every container until it ends (Ctrl-C stops)")
    .option("-c, --container <name>", "only this container of each pod")
    .option("--since <duration>", "only lines newer than this: 90s, 15m, 2h")
    .option("--tail <lines>", "only the last N lines of each container", (value) => Number(value))
    .option("--timestamps", "prefix each line with its timestamp")
    .addHelpText(
      "after",
      examples(
        "pr-pod preview logs --repo octo/app --pr 123",
        "pr-pod preview logs pr-123-app -f --container web --since 15m",
      ),
    )
    .action(
      commandAction(
        state,
        lazy(async () => ({ default: (await import("./commands/preview.ts")).previewLogsCommand })),
      ),
    );
  preview
    .command("down")
    .description(
      "delete a preview namespace and everything in it (or, with --repo --pr, every preview of that PR, found by its labels), and wait until they are gone",
    )
    .argument("[namespace]", "the preview's namespace (or use --repo and --pr)")
    .option("--repo <owner/name>", "the repository")
    .option("--pr <number>", "the pull request (with --repo)", (value) => Number(value))
    .addHelpText("after", examples("pr-pod preview down pr-123-app", "pr-pod preview down --repo octo/app --pr 123"))
    .action(
      commandAction(
        state,
        lazy(async () => ({ default: (await import("./commands/preview.ts")).previewDownCommand })),
      ),
    );
  preview
    .command("expire")
    .description("delete the kept previews whose keep time (pr-pod.dev/expires-at) has passed")
    .addHelpText("after", examples("pr-pod preview expire"))
    .action(
      commandAction(
        state,
        lazy(async () => ({ default: (await import("./commands/preview.ts")).expirePreviewsCommand })),
      ),
    );

  program
    .command("doctor")
    .description(
      "check the kubeconfig, the cluster, kind, the namespace, RBAC and the GitHub token, and say what to fix",
    )
    .option("--env-file <file>", "env file searched for the token (default: web/.env at the repository root)")
    .addHelpText(
      "after",
      examples("pr-pod doctor", "pr-pod doctor --context kind-pr-pod -n ci", "pr-pod doctor -o json"),
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/doctor.ts")),
      ),
    );

  const cluster = program
    .command("cluster")
    .description("a local kind cluster for pr-pod: up, down, status")
    .addHelpText("after", examples("pr-pod cluster up", "pr-pod run --repo octo/app --pr 123", "pr-pod cluster down"));
  for (const [name, description] of [
    ["up", "create the kind cluster (or reuse a running one) and write its kubeconfig"],
    ["down", "delete the kind cluster"],
    ["status", "say whether the kind cluster exists and is running"],
  ] as const) {
    const sub = cluster.command(name).description(description).option("--name <name>", "kind cluster name", "pr-pod");
    if (name === "up") {
      sub
        .option("--config <file>", "a kind cluster config file to use instead of the generated one")
        .option("--node-image <image>", "kindest/node image")
        .option(
          "--no-registry",
          "no local registry (default: kind's local registry on localhost:5001, where runs push as kind-registry:5000)",
        )
        .option(
          "--write-kubeconfig <file>",
          "where to write the cluster's kubeconfig (default ~/.kube/pr-pod-<name>.yaml)",
        );
    }
    sub.addHelpText("after", examples(`pr-pod cluster ${name}`, `pr-pod cluster ${name} --name ci`)).action(
      commandAction(
        state,
        lazy(async () => ({ default: (await import("./commands/cluster.ts")).clusterCommand(name) })),
      ),
    );
  }

  program
    .command("demo")
    .description("a whole pr-pod run with no cluster and no internet: in-process test cluster + local git server")
    .addOption(
      new Option("--scenario <name>", "succeed: a repo with every expected file; fail: one without a Dockerfile")
        .choices(["succeed", "fail"])
        .default("succeed"),
    )
    .option("--keep", "leave the run's objects in the test cluster until the demo ends")
    .option("--timeout <duration>", "deadline for the run", parseDurationSeconds)
    .addHelpText(
      "after",
      `${examples("pr-pod demo", "pr-pod demo --scenario fail", "pr-pod demo -o json")}
The test cluster runs the pod's real script on this machine (busybox sh, real git), cloning from a
git server on localhost. Builds go through a stand-in \`docker\` that records what it would run:
nothing is built. This is a demo and test mode; for real runs use kind (pr-pod cluster up) or your cluster.
`,
    )
    .action(
      commandAction(
        state,
        lazy(() => import("./commands/demo.ts")),
      ),
    );

  return program;
}

/** Parses argv (without node and script), runs the command, and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const state: ProgramState = {
    exitCode: 0,
    debug: argv.includes("--debug"),
    redactor: await redactorFor(tokensInEnvironment(process.env)),
  };
  const program = createProgram(state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_CODES.success;
      return EXIT_CODES.usage;
    }
    if (error instanceof InvalidArgumentError) return EXIT_CODES.usage;
    const terminal = state.terminal ?? new Terminal({ redact: state.redactor });
    return renderError(terminal, error, { debug: state.debug });
  }
}
