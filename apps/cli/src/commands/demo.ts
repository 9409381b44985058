// `pr-pod demo` (also `pr-pod run --cluster test --demo`): the whole real path with nothing to set
// up. It starts @pr-pod/test-cluster in-process with the host runtime (the pod's real script runs
// here under busybox sh, with real git), a local git server (@pr-pod/test-git-server) holding a
// generated repository with an open PR, and `docker`: when this machine has the private engine
// `npm run setup` unpacks (.tools/docker, or PR_POD_DOCKER_PREFIX), a real dockerd and a loopback
// registry (@pr-pod/test-docker-engine), so the PR's images are built, pushed and reported with the
// registry's digests; otherwise a stand-in that records what it would run and builds nothing, and says
// why. Then it is an ordinary run: the same runner, events and verdict.
// The verdict goes to @pr-pod/test-github-server as a GitHub App's check run and a PR comment, the
// way `--report github` sends it to GitHub, and the demo shows what the PR got.
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeConfig } from "@kubernetes/client-node";
import { WORKSPACE_MOUNT_PATH } from "@pr-pod/k8s-job-builder";
import type { CommandEnvironment } from "../command-environment.ts";
import { runAndRender } from "../run-session.ts";
import { loadRunner } from "../runner-module.ts";

/** The demo's own token: the local git server demands it; the user's token is never used. */
const DEMO_TOKEN = "ghp_pr0pod0demo0not0a0real0token0000000";
const DEMO_REPO = "octo/demo-app";
const DEMO_PR = 1;

export interface DemoOptions {
  scenario: "succeed" | "fail";
  keep?: boolean;
  timeout?: number;
}

export interface DemoCluster {
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  url: string;
  /** Every `docker ...` line the stand-in recorded. */
  dockerCalls(): Promise<string[]>;
  close(): Promise<void>;
}

/** The stand-in: POSIX sh (the pod runs under busybox sh), writes buildx metadata so the report has a digest. */
function standInDocker(recordFile: string): string {
  return `#!/bin/sh
# pr-pod demo: a STAND-IN for docker. It builds nothing; it records what it was asked to run.
printf '%s\\n' "docker $*" >> '${recordFile}'
echo "[pr-pod demo] stand-in docker, nothing built: docker $*"
metadata=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --metadata-file) shift; metadata="$1" ;;
    --metadata-file=*) metadata="\${1#--metadata-file=}" ;;
  esac
  shift
done
if [ -n "$metadata" ]; then
  printf '%s' '{"containerimage.digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}' > "$metadata"
fi
exit 0
`;
}

/** The real CLI for the pod, recording each call; it links buildx into whatever DOCKER_CONFIG the script uses. */
function realDocker(recordFile: string, docker: string, configDir: string, pluginsDir: string): string {
  return `#!/bin/sh
printf '%s\\n' "docker $*" >> '${recordFile}'
cfg=\${DOCKER_CONFIG:-${configDir}}
[ -e "$cfg/cli-plugins" ] || ln -s '${pluginsDir}' "$cfg/cli-plugins"
export DOCKER_CONFIG="$cfg"
exec '${docker}' "$@"
`;
}

/** A private engine and registry for the demo's real builds (stopped by `stop`). */
export interface DemoBuilder {
  engineHost: string;
  registryHost: string;
  registry: import("@pr-pod/test-docker-engine").TestRegistry;
  script(recordFile: string): string;
  stop(): Promise<void>;
}

/** `<folder>/<relativePath>` in the first folder, going up from the CLI's own and then from the current one, that has it. */
function findUp(relativePath: string): string | undefined {
  for (let dir of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (;;) {
      const candidate = join(dir, relativePath);
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** `.tools/docker` above the CLI or the current folder (or PR_POD_DOCKER_PREFIX). */
function dockerPrefix(): string {
  if (process.env.PR_POD_DOCKER_PREFIX) return process.env.PR_POD_DOCKER_PREFIX;
  return findUp(join(".tools", "docker")) ?? join(process.cwd(), ".tools", "docker");
}

/** helm for the demo's preview: PR_POD_HELM, the workspace's `.tools/bin/helm` (npm ci unpacks it), or PATH. */
function demoHelmPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PR_POD_HELM) return env.PR_POD_HELM;
  const workspaceHelm = findUp(join(".tools", "bin", "helm"));
  if (workspaceHelm) return workspaceHelm;
  return (env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, "helm"))
    .find((helm) => existsSync(helm));
}

/** A free loopback port for the demo app to serve on. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the private engine and registry, or says why the demo falls back to the stand-in. */
export async function startDemoBuilder(
  environment: CommandEnvironment,
): Promise<{ builder?: DemoBuilder; reason?: string }> {
  const engines = await import("@pr-pod/test-docker-engine");
  const prefix = dockerPrefix();
  const reason = engines.dockerToolsMissing(prefix);
  if (reason) return { reason };
  const tools = engines.dockerToolsAt(prefix);
  environment.terminal.phase("starting a private Docker engine and registry");
  try {
    const [engine, registry] = await Promise.all([
      engines.startTestDockerEngine({ tools }),
      engines.startTestRegistry({ tools }),
    ]);
    return {
      builder: {
        engineHost: engine.host,
        registryHost: registry.host,
        registry,
        script: (recordFile) => realDocker(recordFile, tools.docker, engine.configDir, tools.pluginsDir),
        stop: async () => {
          await Promise.all([engine.stop(), registry.stop()]);
        },
      },
    };
  } catch (error) {
    return { reason: `the private Docker engine did not start: ${(error as Error).message.split("\n")[0]}` };
  } finally {
    environment.terminal.endPhase();
  }
}

/** The in-process test cluster with the host runtime and `docker` (real or stand-in) first on the pod's PATH. */
export async function startDemoCluster(environment: CommandEnvironment, builder?: DemoBuilder): Promise<DemoCluster> {
  const { startTestCluster } = await import("@pr-pod/test-cluster");
  const folder = await mkdtemp(join(tmpdir(), "pr-pod-demo-"));
  const recordFile = join(folder, "docker-calls.log");
  const bin = join(folder, "bin");
  await import("node:fs/promises").then((fs) => fs.mkdir(bin));
  await writeFile(join(bin, "docker"), builder ? builder.script(recordFile) : standInDocker(recordFile));
  await chmod(join(bin, "docker"), 0o755);
  environment.terminal.phase("starting the in-process test cluster");
  const cluster = await startTestCluster({ runtime: "host", hostRuntime: { extraPath: [bin] } });
  environment.terminal.endPhase();
  environment.terminal.info(
    environment.terminal.style("dim", `test cluster: ${cluster.url} (in-process @pr-pod/test-cluster, host runtime)`),
  );
  return {
    kubeConfig: cluster.kubeConfig,
    kubeconfigPath: cluster.kubeconfigPath,
    url: cluster.url,
    async dockerCalls() {
      const text = await readFile(recordFile, "utf8").catch(() => "");
      // The host runtime maps the pod's workspace volume to a temp folder; show the pod's own path.
      return text
        .split("\n")
        .filter(Boolean)
        .map((call) => call.replace(/\S*\/volumes\/workspace(?=[/\s]|$)/g, WORKSPACE_MOUNT_PATH));
    },
    async close() {
      await cluster.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

const demoFiles = {
  "README.md": "# demo-app\n\nA repository pr-pod generates for its demo.\n",
  "package.json": `${JSON.stringify({ name: "demo-app", version: "1.0.0", private: true }, null, 2)}\n`,
  "src/index.js": 'console.log("hello from demo-app");\n',
};

/** What the demo app serves, and what its test checks for: the pull request changes it. */
const DEMO_GREETING = "hello from the pull request";

/**
 * The demo app's chart: a Deployment serving the greeting over HTTP (busybox httpd: the test
 * cluster's host runtime runs commands, not images), its Service, and values for the port and the
 * address to bind (empty: all, as in a real cluster; the demo binds loopback).
 */
const demoChartFiles = {
  "charts/demo-app/Chart.yaml": "apiVersion: v2\nname: demo-app\ndescription: pr-pod's demo app\nversion: 0.1.0\n",
  "charts/demo-app/values.yaml": `image:\n  repository: busybox\n  tag: "1.36"\ngreeting: ${JSON.stringify(DEMO_GREETING)}\nport: 8080\nbind: ""\n`,
  "charts/demo-app/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: { app: {{ .Release.Name }} }
spec:
  replicas: 1
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          command:
            - sh
            - -c
            - mkdir -p www && printf '%s\\n' "$GREETING" > www/index.html && echo "demo-app serving on port $PORT" && exec busybox httpd -f -p "{{ if .Values.bind }}{{ .Values.bind }}:{{ end }}$PORT" -h www
          env:
            - { name: GREETING, value: {{ .Values.greeting | quote }} }
            - { name: PORT, value: {{ .Values.port | quote }} }
          ports: [{ name: http, containerPort: {{ .Values.port }} }]
          readinessProbe:
            httpGet: { path: /, port: http }
`,
  "charts/demo-app/templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: { app: {{ .Release.Name }} }
  ports: [{ name: http, port: {{ .Values.port }}, targetPort: http }]
`,
};

/**
 * The demo repository's pr-pod.config.yaml: deploy the chart, then a test Job that asks the app for
 * its greeting (APP_URL, else the Service URL pr-pod passes as PREVIEW_URL_DEMO_APP in a real cluster).
 * `overrides` are the demo's own: the port, loopback, and the URL, since the test cluster's pods share
 * this machine's network instead of Service DNS.
 */
export function demoPreviewConfig(overrides?: { port: number }): string {
  const set = overrides ? `\n      set: { port: "${overrides.port}", bind: 127.0.0.1 }` : "";
  const env = overrides ? `\n      env: { APP_URL: "http://127.0.0.1:${overrides.port}/" }` : "";
  return `# pr-pod: deploy the demo app as a preview after the build, then check it answers.
preview:
  timeoutSeconds: 60
  charts:
    - path: charts/demo-app
      release: demo-app
      # The image built from the root Dockerfile runs the app (two are built: say which goes where).
      images: [{ source: Dockerfile, repositoryKey: image.repository, tagKey: image.tag }]${set}
  tests:
    - name: check-greeting
      image: busybox:1.36
      command:
        - sh
        - -c
        - >-
          url=\${APP_URL:-$PREVIEW_URL_DEMO_APP};
          for attempt in 1 2 3 4 5 6 7 8 9 10; do body=$(wget -qO- "$url") && break; sleep 1; done;
          echo "GET $url -> $body";
          test "$body" = ${JSON.stringify(DEMO_GREETING)}${env}
`;
}

const demoPullRequestFiles = {
  "src/index.js": `console.log(${JSON.stringify(DEMO_GREETING)});\n`,
  Dockerfile: 'FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/index.js"]\n',
  "services/worker/Dockerfile": 'FROM alpine:3.20\nCMD ["echo", "worker"]\n',
  "compose.yaml": "services:\n  app:\n    build: .\n",
  ...demoChartFiles,
  "pr-pod.config.yaml": demoPreviewConfig(),
};

/** With real builds nothing can be pulled: the images start FROM scratch and copy the app in. */
const realBuildFiles = {
  Dockerfile: "FROM scratch\nCOPY src/ /app/src/\nCOPY package.json /app/\n",
  "services/worker/Dockerfile": "FROM scratch\nCOPY worker.txt /\n",
  "services/worker/worker.txt": "worker\n",
};

export async function runDemo(environment: CommandEnvironment, options: DemoOptions): Promise<number> {
  const { terminal } = environment;
  const [{ startTestGitServer }, { pullRequestContextFromFlags }, { startTestGitHubServer }] = await Promise.all([
    import("@pr-pod/test-git-server"),
    import("@pr-pod/pr-context"),
    import("@pr-pod/test-github-server"),
  ]);
  const { builder, reason } = await startDemoBuilder(environment);
  terminal.info(
    terminal.style(
      "bold",
      builder
        ? "pr-pod demo: an in-process test cluster, a local git server, and real builds on a private Docker engine pushed to a local registry. Nothing leaves this machine."
        : "pr-pod demo: an in-process test cluster, a local git server and a stand-in docker. Nothing leaves this machine.",
    ),
  );
  if (builder) {
    terminal.info(
      terminal.style("dim", `docker: private dockerd at ${builder.engineHost}, registry ${builder.registryHost}`),
    );
  } else {
    terminal.info(terminal.style("dim", `docker: a stand-in that builds nothing, because ${reason}`));
  }
  const git = await startTestGitServer({ token: DEMO_TOKEN });
  const github = await startTestGitHubServer();
  let cluster: DemoCluster | undefined;
  let configFile: string | undefined;
  try {
    let headSha = "";
    let baseSha = "";
    await git.createRepo(DEMO_REPO, async (repo) => {
      baseSha = await repo.commit(demoFiles, { message: "demo-app: first commit" });
      const files: Record<string, string | null> = { ...demoPullRequestFiles, ...(builder ? realBuildFiles : {}) };
      if (options.scenario === "fail") files.Dockerfile = null;
      headSha = await repo.commit(files, {
        branch: "feature/greeting",
        from: "main",
        message:
          options.scenario === "fail" ? "greeting, but the Dockerfile was forgotten" : "greeting, image and chart",
      });
      await repo.pullRequest(DEMO_PR, headSha);
    });
    terminal.info(terminal.style("dim", `git server: ${git.repoUrl(DEMO_REPO)} (local, demands the demo token)`));
    terminal.info(terminal.style("dim", "token: the demo's own made-up token (GITHUB_PAT and web/.env are not read)"));
    github.addPullRequest({ repo: DEMO_REPO, number: DEMO_PR, headSha, headRef: "feature/greeting", baseSha });
    const app = github.addApp({
      slug: "pr-pod-demo",
      permissions: { checks: "write", statuses: "write", pull_requests: "write" },
    });
    terminal.info(
      terminal.style(
        "dim",
        `GitHub API: ${github.url} (local @pr-pod/test-github-server; a demo GitHub App reports the verdict)`,
      ),
    );
    cluster = await startDemoCluster(environment, builder);
    const context = pullRequestContextFromFlags({
      repo: DEMO_REPO,
      pr: DEMO_PR,
      sha: headSha,
      headRef: "feature/greeting",
      baseRef: "main",
      baseSha,
      title: options.scenario === "fail" ? "Add a greeting (no Dockerfile)" : "Add a greeting, an image and a chart",
      author: "octocat",
      serverUrl: git.url,
    });
    // The preview: the repository's chart deployed and checked by a test Job, with real helm.
    const helmPath = demoHelmPath(environment.env);
    if (helmPath) {
      configFile = join(await mkdtemp(join(tmpdir(), "pr-pod-demo-config-")), "pr-pod.config.yaml");
      await writeFile(configFile, demoPreviewConfig({ port: await freeLoopbackPort() }));
      terminal.info(terminal.style("dim", `helm: ${helmPath} (deploys the PR's chart as a preview, then tests it)`));
    } else {
      terminal.info(
        terminal.style(
          "dim",
          "helm: not found, so the demo builds but deploys no preview (npm ci unpacks it into .tools/bin; or set PR_POD_HELM)",
        ),
      );
    }
    const runner = await loadRunner();
    const demoCluster = cluster;
    const dockerCalls: string[] = [];
    const registryDigests: string[] = [];
    return await runAndRender(
      environment,
      runner.runPrPod,
      {
        kubeConfig: cluster.kubeConfig,
        pullRequest: { kind: "context", context },
        token: DEMO_TOKEN,
        // The demo's own config only: a pr-pod.config.* in the current folder must not change it.
        ...(configFile && helmPath
          ? { configFile, preview: { helmPath, keep: options.keep === true } }
          : { noConfigFile: true }),
        ...(environment.globals.namespace ? { namespace: environment.globals.namespace, createNamespace: true } : {}),
        ...(options.keep ? { keep: true } : {}),
        ...(options.timeout ? { timeoutSeconds: options.timeout } : {}),
        ...(builder
          ? {
              buildx: { driver: "docker" as const, endpoint: builder.engineHost },
              registry: { host: builder.registryHost },
            }
          : {}),
        report: {
          github: {
            apiUrl: github.url,
            app: { appId: app.appId, privateKey: app.privateKey, installationId: app.installationId },
            comment: true,
            minWriteIntervalMs: 0,
          },
        },
      },
      {
        cleanupCommand: () => "(nothing to clean up: the demo's cluster lives only as long as this process)",
        documentExtras: () => ({
          demo: {
            cluster: `in-process @pr-pod/test-cluster at ${demoCluster.url} (host runtime)`,
            gitServer: git.repoUrl(DEMO_REPO),
            docker: builder
              ? `real: private dockerd at ${builder.engineHost}, images pushed to the registry ${builder.registryHost}`
              : `stand-in: records the commands, builds nothing (${reason})`,
            dockerCalls,
            ...(builder ? { registryDigests } : {}),
            github: { api: github.url, calls: github.sequence(), checkRuns: github.checkRuns(DEMO_REPO) },
          },
        }),
        epilogue: () => [
          "",
          "This was a demo. The cluster was @pr-pod/test-cluster running in this process, the repository",
          ...(builder
            ? [
                "came from a local git server, and the images were built for real on a private Docker engine and",
                `pushed to a local registry (${builder.registryHost}); the registry's own manifest digests:`,
                ...registryDigests.map((entry) => `  ${entry}`),
                "The docker commands the pod ran:",
              ]
            : [
                "came from a local git server, and `docker` was a stand-in that recorded these commands and built nothing:",
              ]),
          ...dockerCalls.map((call) => `  ${call}`),
          "",
          `The verdict went to the local GitHub API (${github.url}) as a GitHub App would send it:`,
          ...github.sequence().map((call) => `  ${call}`),
          ...prFeedbackShown(github.checkRuns(DEMO_REPO).at(-1)),
          "",
          "For real runs: pr-pod cluster up (kind), then pr-pod run --repo owner/name --pr 123.",
        ],
      },
      async (result) => {
        dockerCalls.push(...(await demoCluster.dockerCalls()));
        for (const image of builder ? (result?.images ?? []) : []) {
          if (!image.image || !image.tag) continue;
          const repository = image.image.slice(builder!.registryHost.length + 1, image.image.lastIndexOf(":"));
          const digest = await builder!.registry.manifestDigest(repository, image.tag);
          registryDigests.push(
            `${image.image} ${digest ?? "missing"}${digest === image.digest ? " (matches the report)" : " (DIFFERS from the report)"}`,
          );
        }
      },
    );
  } finally {
    if (configFile) await rm(dirname(configFile), { recursive: true, force: true });
    await cluster?.close();
    await builder?.stop();
    await git.close();
    await github.close();
  }
}

/** The check run as the PR's Checks tab would show it: conclusion, title, and the Markdown summary. */
function prFeedbackShown(
  run: { conclusion: string | null; output: { title: string | null; summary: string | null } } | undefined,
): string[] {
  if (!run) return ["  (no check run reached it)"];
  return [
    `Check run "pr-pod": ${run.conclusion ?? "no conclusion"} — ${run.output.title ?? ""}`,
    ...(run.output.summary ?? "").split("\n").map((line) => `  | ${line}`),
  ];
}

export default async function demoCommand(environment: CommandEnvironment, options: DemoOptions): Promise<number> {
  return runDemo(environment, options);
}
