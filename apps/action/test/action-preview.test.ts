// The bundled action with a preview section in the workspace's config file, run as GitHub runs it
// (support/action-process.ts) against the in-process test cluster (host runtime) with the real helm
// 4.1: after the build, the PR's chart (fetched from the git server at the commit the pod built) is
// deployed into the PR's preview namespace, the test Job runs against it, and the outputs, the job summary and the exit code (20 deploy failed,
// 21 tests failed, as the CLI) say how it went. The post step deletes a preview the run left half-made.
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { deletePreview } from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "./fixtures/pull-request-event.ts";
import { actionBundle, node24, runActionStep, workflowCommands } from "./support/action-process.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const REPO = "octo-org/hello-world";
const helmPath = join(process.env["PR_POD_KUBE_TOOLS"] ?? join(import.meta.dirname, "../../../.tools/bin"), "helm");

let dir: string;
let entry: string;
let cluster: TestCluster;
let git: TestGitServer;
let kubeconfigText: string;
let baseSha: string;
let repo: Awaited<ReturnType<TestGitServer["createRepo"]>>;

const DOCKER_STAND_IN = `#!/bin/sh
[ "$1" = buildx ] || exit 2
case $2 in create|rm) exit 0 ;; build) ;; *) exit 2 ;; esac
meta=
while [ $# -gt 0 ]; do [ "$1" = --metadata-file ] && { meta=$2; shift; }; shift; done
printf '{"containerimage.digest": "sha256:${"1".repeat(64)}"}\\n' > "$meta"
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pr-pod-action-preview-"));
  entry = actionBundle();
  const binDir = join(dir, "pod-bin");
  await mkdir(binDir);
  await writeFile(join(binDir, "docker"), DOCKER_STAND_IN, { mode: 0o755 });
  git = await startTestGitServer({ token: TOKEN });
  repo = await git.createRepo(REPO, {
    "package.json": '{ "name": "hello-world" }\n',
    "README.md": "# hello\n",
    Dockerfile: "FROM scratch\n",
  });
  baseSha = (await repo.resolve("main")) ?? "";
  cluster = (await startTestCluster({
    runtime: "host",
    hostRuntime: { extraPath: [binDir] },
  })) as unknown as TestCluster;
  kubeconfigText = await readFile(cluster.kubeconfigPath, "utf8");
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await git?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const WEB_CHART = `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }}-web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "busybox:1.36", command: ["sh", "-c", "echo serving; sleep 600"] }] }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }}-web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`;

interface PullRequestWithChart {
  pr: number;
  headSha: string;
  headRef: string;
  /** The step's working directory: the config file (and the test's script, run by the host runtime). */
  workspace: string;
}

/**
 * PR `pr` adds a chart (plus `extraTemplate`) on branch `name`; the workspace holds a
 * pr-pod.config.yaml with a preview section whose test Job runs `testScript` (it may write JUnit XML
 * to $PR_POD_JUNIT_PATH).
 */
async function pullRequestWithChart(
  name: string,
  pr: number,
  testScript: string,
  extraTemplate = "",
): Promise<PullRequestWithChart> {
  const headSha = await repo.commit(
    {
      "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
      "chart/templates/web.yaml": WEB_CHART + extraTemplate,
    },
    { branch: name, from: "main" },
  );
  await repo.pullRequest(pr, headSha);
  const workspace = join(dir, name);
  await mkdir(workspace, { recursive: true });
  await writeFile(join(workspace, "smoke.sh"), testScript);
  await writeFile(
    join(workspace, "pr-pod.config.yaml"),
    `preview:
  charts: [{ path: chart, release: app }]
  tests:
    - name: smoke
      image: "busybox:1.36"
      command: [sh, ${JSON.stringify(join(workspace, "smoke.sh"))}]
      junitPath: ${JSON.stringify(join(workspace, "junit.xml"))}
  timeoutSeconds: 120
`,
  );
  return { pr, headSha, headRef: name, workspace };
}

function stepFor(pull: PullRequestWithChart, inputs: Record<string, string> = {}) {
  return {
    entry,
    dir,
    cwd: pull.workspace,
    env: { PR_POD_HELM: helmPath },
    inputs: {
      "github-token": TOKEN,
      cluster: "existing",
      kubeconfig: kubeconfigText,
      verify: "package.json\nREADME.md",
      namespace: "default",
      feedback: "none",
      config: "pr-pod.config.yaml",
      ...inputs,
    },
    event: {
      name: "pull_request",
      payload: pullRequestEvent({
        number: pull.pr,
        headSha: pull.headSha,
        headRef: pull.headRef,
        baseSha,
        baseCloneUrl: git.repoUrl(REPO),
      }),
    },
  };
}

const namespaceOf = (name: string) =>
  cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespace({ name })
    .then(
      (namespace) => namespace,
      () => undefined,
    );

const errorsOf = (stdout: string) => workflowCommands(stdout).filter((command) => command.command === "error");

describe("the action with a preview section", () => {
  it("deploys the PR's chart at the built commit, runs its test against it, reports it and tears the preview down", async () => {
    const pull = await pullRequestWithChart("passes", 31, 'echo "smoke: $PREVIEW_URL_APP_WEB ok"\n');
    const step = await runActionStep(stepFor(pull));
    expect(errorsOf(step.stdout)).toEqual([]);
    expect(step.exitCode).toBe(0);
    expect(step.stdout).toContain("[smoke] smoke: http://app-web.pr-31-hello-world.svc:80 ok");
    expect(step.outputs).toMatchObject({
      status: "succeeded",
      "preview-namespace": "pr-31-hello-world",
      "preview-expires-at": "",
      "deploy-status": "succeeded",
      "test-status": "succeeded",
      "tests-passed": "1",
      "tests-failed": "0",
      "tests-skipped": "0",
      "failed-tests": "[]",
    });
    const preview = JSON.parse(step.outputs["preview"] ?? "");
    expect(preview.stages.map((stage: { stage: string; status: string }) => `${stage.stage} ${stage.status}`)).toEqual([
      "deploy succeeded",
      "test succeeded",
      "teardown succeeded",
    ]);
    expect(step.summary).toContain("Preview deploy (namespace pr-31-hello-world)");
    expect(step.summary).toContain("Preview tests: 1 passed, 0 failed, 0 skipped");
    expect(await namespaceOf("pr-31-hello-world")).toBeUndefined();
    // The teardown ran: the post step has no preview to delete.
    expect(JSON.parse(step.state["run"] ?? "{}").previewNamespace).toBeUndefined();
    const post = await runActionStep({ entry, dir, state: step.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).not.toContain("preview namespace");
  });

  it("does the same on Node 24, the runtime GitHub runs the action on", async () => {
    const pull = await pullRequestWithChart("node24", 38, "echo ok\n");
    const step = await runActionStep({ ...stepFor(pull), node: node24() });
    expect(step.stderr).toBe("");
    expect(step.exitCode).toBe(0);
    expect(step.outputs).toMatchObject({
      "preview-namespace": "pr-38-hello-world",
      "deploy-status": "succeeded",
      "test-status": "succeeded",
      "tests-passed": "1",
    });
    expect(await namespaceOf("pr-38-hello-world")).toBeUndefined();
  });

  it("fails the step with 21 when the tests fail, naming the failing JUnit cases in outputs, annotation and summary", async () => {
    const junit = `<testsuite name="api" tests="3" failures="1" skipped="1"><testcase classname="api" name="lists items"/><testcase classname="api" name="creates an item"><failure message="expected 201, got 500"/></testcase><testcase classname="api" name="deletes an item"><skipped/></testcase></testsuite>`;
    const pull = await pullRequestWithChart("fails", 32, `printf '%s' '${junit}' > "$PR_POD_JUNIT_PATH"\nexit 1\n`);
    const step = await runActionStep(stepFor(pull));
    expect(step.exitCode).toBe(21);
    expect(step.outputs).toMatchObject({
      status: "failed",
      reason: "PreviewTestsFailed",
      "deploy-status": "succeeded",
      "test-status": "failed",
      "tests-passed": "1",
      "tests-failed": "1",
      "tests-skipped": "1",
    });
    expect(JSON.parse(step.outputs["failed-tests"] ?? "")).toEqual(["smoke › api › creates an item"]);
    const [error] = errorsOf(step.stdout);
    expect(error?.properties["title"]).toBe("pr-pod failed: PreviewTestsFailed");
    expect(error?.message).toContain(
      "preview tests: 1 passed, 1 failed, 1 skipped (failing: smoke › api › creates an item)",
    );
    expect(step.summary).toContain(
      "Preview tests: 1 passed, 1 failed, 1 skipped; failing: smoke › api › creates an item",
    );
    expect(step.summary).toContain("expected 201, got 500");
    expect(await namespaceOf("pr-32-hello-world")).toBeUndefined();
  });

  it("fails the step with 20 when the chart cannot deploy (a cluster-scoped object), and skips the tests", async () => {
    const clusterRole = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: {{ .Release.Name }}-everything }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
`;
    const pull = await pullRequestWithChart("forbidden", 33, "echo never\n", clusterRole);
    const step = await runActionStep(stepFor(pull));
    expect(step.exitCode).toBe(20);
    expect(step.outputs).toMatchObject({
      status: "failed",
      reason: "PreviewDeployFailed",
      "preview-namespace": "pr-33-hello-world",
      "deploy-status": "failed",
      "test-status": "skipped",
      "tests-passed": "0",
      "tests-failed": "0",
    });
    const [error] = errorsOf(step.stdout);
    expect(error?.properties["title"]).toBe("pr-pod failed: PreviewDeployFailed");
    expect(error?.message).toMatch(/ClusterRole/);
    expect(step.summary).toContain("Preview deploy (namespace pr-33-hello-world)");
    expect(await namespaceOf("pr-33-hello-world")).toBeUndefined();
  });

  it("keeps the preview with keep-preview for preview-ttl hours, and says until when", async () => {
    const pull = await pullRequestWithChart("kept", 34, "echo ok\n");
    const before = Date.now();
    const step = await runActionStep(stepFor(pull, { "keep-preview": "true", "preview-ttl": "2" }));
    expect(step.exitCode).toBe(0);
    const expiresAt = step.outputs["preview-expires-at"] ?? "";
    const twoHours = 2 * 3_600_000;
    expect(Date.parse(expiresAt) - before).toBeGreaterThanOrEqual(twoHours);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(twoHours);
    const namespace = await namespaceOf("pr-34-hello-world");
    expect(namespace?.metadata?.annotations?.["pr-pod.dev/expires-at"]).toBe(expiresAt);
    expect(step.summary).toContain(`kept until ${expiresAt}`);
    const post = await runActionStep({ entry, dir, state: step.state });
    expect(post.exitCode).toBe(0);
    expect(await namespaceOf("pr-34-hello-world")).toBeDefined();
    await deletePreview(cluster.kubeConfig, "pr-34-hello-world");
  });

  it("refuses preview-ttl without keep-preview before touching the cluster", async () => {
    const pull = await pullRequestWithChart("ttl-alone", 36, "echo ok\n");
    const step = await runActionStep(stepFor(pull, { "preview-ttl": "2" }));
    expect(step.exitCode).toBe(1);
    expect(step.outputs).toEqual({ status: "failed", reason: "INVALID_INPUT" });
    expect(errorsOf(step.stdout)[0]?.message).toMatch(/preview-ttl is 2 but keep-preview is not true/);
  });

  it("leaves no preview when the job is cancelled while the tests run: the run tears it down itself", async () => {
    // The test blocks until the pod is deleted; the step is cancelled once it runs.
    const pull = await pullRequestWithChart("cancelled", 37, "echo testing; while :; do sleep 1; done\n");
    const namespace = "pr-37-hello-world";
    const step = await runActionStep({
      ...stepFor(pull),
      onSpawn: (child) => {
        let seen = "";
        const cancelOnce = (chunk: Buffer) => {
          seen += chunk.toString();
          if (!seen.includes("[smoke] testing")) return;
          child.stdout?.off("data", cancelOnce);
          child.kill("SIGINT");
        };
        child.stdout?.on("data", cancelOnce);
      },
    });
    expect(step.stdout).toContain("received SIGINT");
    expect(step.exitCode).not.toBe(0);
    // The stopped run's own teardown deleted the preview, so there is nothing left for the post step.
    expect(await namespaceOf(namespace)).toBeUndefined();
    expect(JSON.parse(step.state["run"] ?? "{}").previewNamespace).toBeUndefined();

    const post = await runActionStep({ entry, dir, state: step.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).not.toContain("deleted the preview namespace");
  });

  it("stops at once when the job is cancelled while the preview is being set up, and deletes it", async () => {
    const pull = await pullRequestWithChart("cancelled-setup", 39, "echo ok\n");
    const namespace = "pr-39-hello-world";
    try {
      // Were helm to start, its first request would hang: only an abort that reaches it ends the step.
      const { child, running } = await stepHungInPreviewDeploy(pull, namespace);
      child.kill("SIGINT");
      const step = await running;
      expect(step.stdout).toContain("received SIGINT");
      expect(step.exitCode).not.toBe(0);
      expect(await namespaceOf(namespace)).toBeUndefined();
      expect(JSON.parse(step.state["run"] ?? "{}").previewNamespace).toBeUndefined();
      cluster.faults.clear();

      const post = await runActionStep({ entry, dir, state: step.state });
      expect(post.exitCode).toBe(0);
      expect(post.stdout).not.toContain("deleted the preview namespace");
    } finally {
      cluster.faults.clear();
    }
  });

  // Last: the killed step's helm may still hold a request until the cluster closes.
  it("deletes the preview a killed main step left half-made in the post step", async () => {
    const pull = await pullRequestWithChart("killed", 35, "echo ok\n");
    const namespace = "pr-35-hello-world";
    try {
      // helm's requests in the preview hang, so the step dies mid-deploy with the namespace made.
      const { child, running } = await stepHungInPreviewDeploy(pull, namespace);
      child.kill("SIGKILL");
      const main = await running;
      expect(main.stdout).toContain(`preview deploy started in namespace ${namespace}`);
      expect(JSON.parse(main.state["run"] ?? "{}").previewNamespace).toBe(namespace);
      expect(await namespaceOf(namespace)).toBeDefined();
      cluster.faults.clear();

      const post = await runActionStep({ entry, dir, state: main.state });
      expect(post.exitCode).toBe(0);
      expect(post.stdout).toContain(`deleted the preview namespace ${namespace} the run left`);
      expect(await namespaceOf(namespace)).toBeUndefined();
    } finally {
      cluster.faults.clear();
    }
  });
});

/**
 * Starts the step with helm's requests in the preview namespace hanging (the caller clears the fault),
 * and resolves once the namespace exists: the step is then in the middle of the preview deploy.
 */
async function stepHungInPreviewDeploy(pull: Parameters<typeof stepFor>[0], namespace: string) {
  cluster.faults.addLatency({ ms: 120_000, match: { resource: "secrets", namespace } });
  let child: ChildProcess | undefined;
  const running = runActionStep({
    ...stepFor(pull),
    onSpawn: (spawned) => {
      child = spawned;
    },
  });
  await waitFor(async () => (await namespaceOf(namespace)) !== undefined);
  return { child: child as ChildProcess, running };
}

/** Polls a condition with a bounded deadline (no fixed sleeps). */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
