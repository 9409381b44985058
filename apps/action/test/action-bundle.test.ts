// The bundled action run as GitHub runs it (a child `node` on dist/index.js, see
// support/action-process.ts), against the in-process test cluster with the host runtime and a real
// git server that demands the token: outputs, summary, annotations, masking, and the post step.
// The pod's `docker` is a stand-in on the host runtime's PATH that "builds" (writes a digest) and can
// hold a build until the test is done with it, so a test can cancel the step mid-run on an event.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { startTestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent } from "./fixtures/pull-request-event.ts";
import { actionBundle, node24, runActionStep, workflowCommands } from "./support/action-process.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const REPO = "octo-org/hello-world";
const MANAGED_BY_PR_POD = "app.kubernetes.io/managed-by=pr-pod";

let dir: string;
let entry: string;
let cluster: TestCluster;
let git: TestGitServer;
let kubeconfigText: string;
let headSha: string;
let baseSha: string;
let holdFlag: string;

const DIGEST = `sha256:${"0".repeat(63)}7`;

/** buildx as the pod script calls it: create, rm, and build with --metadata-file. */
function dockerStandIn(holdFlagPath: string, fifoPath: string): string {
  return `#!/bin/sh
[ "$1" = buildx ] || exit 2
case $2 in
  create) echo "created builder"; exit 0 ;;
  rm) exit 0 ;;
  build) ;;
  *) exit 2 ;;
esac
meta=
while [ $# -gt 0 ]; do
  [ "$1" = --metadata-file ] && { meta=$2; shift; }
  shift
done
echo "#1 [internal] load build definition from Dockerfile"
if [ -e ${JSON.stringify(holdFlagPath)} ]; then echo "#2 waiting for the test"; read -r _ < ${JSON.stringify(fifoPath)}; fi
printf '{"containerimage.digest": "${DIGEST}"}\n' > "$meta"
echo "#3 DONE"
`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pr-pod-action-bundle-"));
  entry = actionBundle();
  const binDir = join(dir, "pod-bin");
  await mkdir(binDir);
  holdFlag = join(dir, "hold-builds");
  const fifo = join(dir, "release.fifo");
  execFileSync("mkfifo", [fifo]);
  await writeFile(join(binDir, "docker"), dockerStandIn(holdFlag, fifo));
  await chmod(join(binDir, "docker"), 0o755);
  git = await startTestGitServer({ token: TOKEN });
  const repo = await git.createRepo(REPO, {
    "package.json": '{ "name": "hello-world" }\n',
    "README.md": "# hello\n",
    Dockerfile: "FROM scratch\n",
  });
  baseSha = (await repo.resolve("main")) ?? "";
  headSha = await repo.commit({ "feature.txt": "new\n" }, { branch: "feature", from: "main" });
  await repo.pullRequest(7, headSha);
  cluster = (await startTestCluster({
    runtime: "host",
    hostRuntime: { extraPath: [binDir] },
  })) as unknown as TestCluster;
  const { readFile } = await import("node:fs/promises");
  kubeconfigText = await readFile(cluster.kubeconfigPath, "utf8");
}, 60_000);

afterAll(async () => {
  await cluster?.close();
  await git?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function event(overrides: Partial<Parameters<typeof pullRequestEvent>[0]> = {}) {
  return {
    name: "pull_request",
    payload: pullRequestEvent({ headSha, baseSha, baseCloneUrl: git.repoUrl(REPO), ...overrides }),
  };
}

const baseInputs = () => ({
  "github-token": TOKEN,
  cluster: "existing",
  kubeconfig: kubeconfigText,
  verify: "package.json\nREADME.md",
  namespace: "default",
  // Feedback on the PR has its own test below, against the GitHub API test server.
  feedback: "none",
});

async function runObjects(kubeConfig: KubeConfig): Promise<string[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const options = { namespace: "default", labelSelector: MANAGED_BY_PR_POD };
  const [jobs, secrets, accounts, pods] = await Promise.all([
    batch.listNamespacedJob(options),
    core.listNamespacedSecret(options),
    core.listNamespacedServiceAccount(options),
    core.listNamespacedPod(options),
  ]);
  return [
    ...jobs.items.map((item) => `Job/${item.metadata?.name}`),
    ...secrets.items.map((item) => `Secret/${item.metadata?.name}`),
    ...accounts.items.map((item) => `ServiceAccount/${item.metadata?.name}`),
    ...pods.items.map((item) => `Pod/${item.metadata?.name}`),
  ];
}

/** The token must never show, except in the one ::add-mask:: line the runner swallows. */
/**
 * Neither the GitHub token nor the kubeconfig's credential may show, except in the ::add-mask::
 * lines the runner swallows; nor may they be saved in the state, outputs, summary or env files.
 */
function expectNoToken(step: { stdout: string; stderr: string; files: string }) {
  for (const secret of [TOKEN, cluster.tokens.admin]) {
    const masked = step.stdout.split("\n").filter((line) => line !== `::add-mask::${secret}`);
    expect(masked.join("\n")).not.toContain(secret);
    expect(step.stderr).not.toContain(secret);
    expect(step.files).not.toContain(secret);
  }
}

describe.each([
  [`the test's Node (${process.version})`, () => process.execPath],
  ["Node 24", () => node24()],
])("the bundled action on %s", (_label, nodeBinary) => {
  it("fails clearly on an event without a pull request, with the token already masked", async () => {
    const step = await runActionStep({
      entry,
      node: nodeBinary(),
      dir,
      inputs: baseInputs(),
      event: { name: "push", payload: { ref: "refs/heads/main" } },
    });
    expect(step.exitCode).toBe(1);
    expect(step.stdout.split("\n").slice(0, 2)).toEqual([
      `::add-mask::${TOKEN}`,
      `::add-mask::${cluster.tokens.admin}`,
    ]);
    const errors = workflowCommands(step.stdout).filter((command) => command.command === "error");
    expect(errors).toEqual([
      {
        command: "error",
        properties: { title: "pr-pod could not run: NOT_A_PULL_REQUEST_EVENT" },
        message: expect.stringMatching(/"push".*pull_request/),
      },
    ]);
    expect(step.outputs).toEqual({ status: "failed", reason: "NOT_A_PULL_REQUEST_EVENT" });
    expect(step.summary).toContain("pr-pod could not run: NOT_A_PULL_REQUEST_EVENT");
    expect(step.state).toEqual({ isPost: "true" });
    expectNoToken(step);

    const post = await runActionStep({ entry, node: nodeBinary(), dir, state: step.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain("::group::Cleanup");
  });

  it("runs the PR's pod on an existing cluster and reports outputs, summary and state", async () => {
    const step = await runActionStep({ entry, node: nodeBinary(), dir, inputs: baseInputs(), event: event() });
    expect(step.stderr).toBe("");
    expect(step.exitCode).toBe(0);
    expect(step.outputs).toMatchObject({ status: "succeeded", namespace: "default", dockerfiles: '["Dockerfile"]' });
    // No registry in this run: built, not pushed, so no image name; the typed row still says what was built.
    expect(JSON.parse(step.outputs["images"] ?? "")).toEqual([
      expect.objectContaining({ dockerfile: "Dockerfile", context: ".", digest: DIGEST, pushed: false }),
    ]);
    expect(step.outputs["job-name"]).toMatch(/^pr-pod-/);
    expect(Number(step.outputs["duration"])).toBeGreaterThan(0);
    expect(JSON.parse(step.outputs["report"] ?? "")).toMatchObject({ ok: true, sha: headSha });
    expect(step.summary).toContain(`${REPO}#7`);
    expect(step.summary).toContain("<strong>succeeded</strong>");
    expect(step.summary).toContain("Files verified");
    expect(step.summary).toContain(DIGEST);
    expect(workflowCommands(step.stdout).filter((command) => command.command === "error")).toEqual([]);
    expect(step.stdout).toMatch(/::group::Pod log/);
    expect(JSON.parse(step.state["run"] ?? "{}")).toMatchObject({
      namespace: "default",
      jobName: step.outputs["job-name"],
      keep: false,
    });
    expectNoToken(step);
    expect(await runObjects(cluster.kubeConfig)).toEqual([]);

    // The kubeconfig input was written to a private temp file, which the post step removes.
    const tempDir = step.state["tempDir"] ?? "";
    expect(statSync(join(tempDir, "kubeconfig")).mode & 0o777).toBe(0o600);
    const post = await runActionStep({ entry, node: nodeBinary(), dir, state: step.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain("the run ended in the main step");
    expect(existsSync(tempDir)).toBe(false);
  });
});

describe("the bundled action", () => {
  it("annotates a failed run with its reason and names the missing file in the summary", async () => {
    const step = await runActionStep({
      entry,
      dir,
      inputs: { ...baseInputs(), verify: "package.json\nCHANGELOG.md" },
      event: event(),
    });
    expect(step.exitCode).toBe(1);
    expect(step.outputs["status"]).toBe("failed");
    const errors = workflowCommands(step.stdout).filter((command) => command.command === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties["title"]).toBe(`pr-pod failed: ${step.outputs["reason"]}`);
    expect(errors[0]?.message).toContain("CHANGELOG.md");
    expect(step.summary).toContain("❌ missing");
    expectNoToken(step);
  });

  it("reports a run that cannot start with the runner's reason, in outputs, annotation and summary", async () => {
    const step = await runActionStep({
      entry,
      dir,
      inputs: { ...baseInputs(), namespace: "no-such-namespace" },
      event: event(),
    });
    expect(step.exitCode).toBe(1);
    expect(step.outputs).toEqual({ status: "failed", reason: "NAMESPACE_NOT_FOUND" });
    const errors = workflowCommands(step.stdout).filter((command) => command.command === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.properties["title"]).toBe("pr-pod could not run: NAMESPACE_NOT_FOUND");
    expect(errors[0]?.message).toContain("no-such-namespace");
    expect(step.summary).toContain("no-such-namespace");
    expect(await runObjects(cluster.kubeConfig)).toEqual([]);
    expectNoToken(step);
  });

  it("gives a fork PR's pod no token, and says so", async () => {
    const step = await runActionStep({
      entry,
      dir,
      inputs: baseInputs(),
      event: event({ headFullName: "someone/hello-world", headCloneUrl: git.repoUrl(REPO) }),
    });
    expect(step.stdout).toContain("the pod clones it without a token");
    // The git server demands the token, so a clone without one fails.
    expect(step.outputs["status"]).toBe("failed");
    expectNoToken(step);
  });

  it("lets a config file in the workspace fill in unset inputs, but never give a fork's pod the token", async () => {
    const workspace = join(dir, "workspace-with-config");
    await mkdir(workspace, { recursive: true });
    await writeFile(
      join(workspace, "pr-pod.config.json"),
      JSON.stringify({ verify: ["package.json", "CHANGELOG.md"], allowForkToken: true }),
    );
    const { verify: _, ...inputs } = baseInputs();

    const ownRepo = await runActionStep({ entry, dir, cwd: workspace, inputs, event: event() });
    expect(ownRepo.outputs["status"]).toBe("failed");
    expect(ownRepo.summary).toContain("CHANGELOG.md");

    const fromFork = await runActionStep({
      entry,
      dir,
      cwd: workspace,
      inputs,
      event: event({ headFullName: "someone/hello-world", headCloneUrl: git.repoUrl(REPO) }),
    });
    expect(fromFork.stdout).toContain("the pod clones it without a token");
    expect(fromFork.stdout).toContain("(without a token)");
    expect(fromFork.outputs["status"]).toBe("failed");
    expectNoToken(fromFork);
  });

  it("looks the PR up through the GitHub API when the pr input is set on another event", async () => {
    const pullRequest = event().payload.pull_request;
    const seen: Array<{ url: string; authorized: boolean }> = [];
    const api = createServer((request, response) => {
      seen.push({ url: request.url ?? "", authorized: request.headers.authorization === `token ${TOKEN}` });
      if (request.url === `/repos/${REPO}/pulls/7`) {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(pullRequest));
      } else {
        response.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
      }
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const step = await runActionStep({
        entry,
        dir,
        inputs: { ...baseInputs(), pr: "7" },
        event: { name: "workflow_dispatch", payload: { inputs: { pr: "7" } } },
        env: { GITHUB_API_URL: apiUrl },
      });
      expect(step.stdout).toContain(`pull request ${REPO}#7, looked up through ${apiUrl}`);
      expect(seen).toContainEqual({ url: `/repos/${REPO}/pulls/7`, authorized: true });
      expect(step.outputs["status"]).toBe("succeeded");
      expectNoToken(step);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it("reports the verdict on a pull_request event as a commit status linked to the workflow run", async () => {
    const github = await startTestGitHubServer();
    try {
      github.addPullRequest({ repo: REPO, number: 7, headSha, headRef: "feature", baseSha });
      github.addToken(TOKEN, { kind: "pat" }, "github-token");
      const { feedback: _, ...inputs } = baseInputs();
      const step = await runActionStep({
        entry,
        dir,
        inputs,
        event: event(),
        env: { GITHUB_API_URL: github.url },
      });
      expect(step.outputs["status"]).toBe("succeeded");
      expect(github.statuses(REPO, headSha).map((s) => [s.state, s.context, s.targetUrl])).toEqual([
        ["pending", "pr-pod", "https://github.com/octo-org/hello-world/actions/runs/1"],
        ["success", "pr-pod", "https://github.com/octo-org/hello-world/actions/runs/1"],
      ]);
      expect(github.calls.filter((call) => call.rejected)).toEqual([]);
      expectNoToken(step);
    } finally {
      await github.close();
    }
  });

  it("stops the run and deletes its objects when the job is cancelled (SIGINT), then the post step finds nothing", async () => {
    await writeFile(holdFlag, "");
    try {
      const step = await runActionStep({
        entry,
        dir,
        inputs: baseInputs(),
        event: event(),
        onSpawn: (child) => {
          let seen = "";
          const cancelOnce = (chunk: Buffer) => {
            seen += chunk.toString();
            if (!seen.includes("waiting for the test")) return;
            child.stdout?.off("data", cancelOnce);
            child.kill("SIGINT");
          };
          child.stdout?.on("data", cancelOnce);
        },
      });
      expect(step.stdout).toContain("received SIGINT");
      expect(step.outputs["status"]).toBe("aborted");
      expect(step.exitCode).toBe(1);
      expect(workflowCommands(step.stdout).find((command) => command.command === "error")?.properties["title"]).toBe(
        `pr-pod aborted: ${step.outputs["reason"]}`,
      );
      await expect.poll(() => runObjects(cluster.kubeConfig), { timeout: 15_000 }).toEqual([]);
      expectNoToken(step);

      const post = await runActionStep({ entry, dir, state: step.state });
      expect(post.exitCode).toBe(0);
      expect(post.stdout).toContain("the run ended in the main step");
    } finally {
      await rm(holdFlag, { force: true });
    }
  });

  // Last in the file: the deletes the killed step had in flight may still land after the test.
  it("deletes what a killed main step left behind in the post step", async () => {
    // The run cannot delete anything, so whatever it created is still there when the step dies.
    cluster.faults.addLatency({ ms: 60_000, match: { verb: "delete" } });
    let child: import("node:child_process").ChildProcess | undefined;
    const running = runActionStep({
      entry,
      dir,
      inputs: baseInputs(),
      event: event(),
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    await waitFor(async () => (await runObjects(cluster.kubeConfig)).some((name) => name.startsWith("Job/")));
    child?.kill("SIGKILL");
    const main = await running;
    cluster.faults.clear();
    expect(main.exitCode).toBe(null);
    expect(await runObjects(cluster.kubeConfig)).toContain(`Job/${JSON.parse(main.state["run"] ?? "{}").jobName}`);

    const post = await runActionStep({ entry, dir, state: main.state });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toMatch(/deleted .*Job pr-pod-/);
    expect(await runObjects(cluster.kubeConfig)).toEqual([]);
    expectNoToken(post);
  });
});

/** Polls a condition with a bounded deadline (no fixed sleeps). */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
