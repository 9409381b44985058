// Whole runs: the test cluster with its host runtime runs the real pod script (busybox sh, real git)
// against the real local git server that demands the token, with a recording `docker` stand-in.
import { CoreV1Api } from "@kubernetes/client-node";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunEvent, runPrPod } from "../src/index.ts";
import { type DockerStandin, installDockerStandin, pullRequestOn } from "./host-run-fixtures.ts";
import { collect, leftovers, TEST_TOKEN } from "./run-helpers.ts";

let server: TestGitServer;
let docker: DockerStandin;
let cluster: TestCluster<HostRuntime>;

beforeAll(async () => {
  server = await startTestGitServer({ token: TEST_TOKEN });
  docker = await installDockerStandin();
  cluster = await startTestCluster({
    runtime: "host",
    namespaces: ["ci"],
    bookmarkIntervalMs: 500,
    hostRuntime: { extraPath: [docker.binDir], killGraceMs: 200 },
  });
});
afterAll(async () => {
  await cluster?.close();
  await server?.close();
  await docker?.cleanup();
});

const base = () => ({ kubeConfig: cluster.kubeConfig, namespace: "ci", token: TEST_TOKEN, noConfigFile: true });
const logLines = (events: RunEvent[]) => events.flatMap((e) => (e.type === "log-line" ? [e.line] : []));

/** The pod's whole log as the API serves it now, redacted like the run's lines. */
async function podLog(jobName: string): Promise<string[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace: "ci", labelSelector: `job-name=${jobName}` });
  const text = await core.readNamespacedPodLog({
    namespace: "ci",
    name: pods.items[0]!.metadata!.name!,
    container: "pr-pod",
  });
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => line.replaceAll(TEST_TOKEN, "***"));
}

describe("a full run with the real pod script", () => {
  it("clones, verifies, detects, builds, streams every line, reports success, and leaves nothing behind", async () => {
    const context = await pullRequestOn(server, "full-run", { "api/Dockerfile": "FROM scratch\n" });
    const callsBefore = (await docker.calls()).length;
    const run = runPrPod({ ...base(), pullRequest: { kind: "context", context } });
    const events = await collect(run);
    const result = await run.result;

    expect(result.status, result.message).toBe("succeeded");
    expect(result).toMatchObject({ reason: "Completed", exitCode: 0 });
    expect(result.report).toMatchObject({
      ok: true,
      headSha: context.headSha,
      files: { missing: [] },
      artifacts: { dockerfiles: ["Dockerfile", "api/Dockerfile"] },
    });
    const calls = (await docker.calls()).slice(callsBefore);
    expect(calls.map((call) => call.slice(0, 2).join(" "))).toEqual([
      "buildx create",
      "buildx build",
      "buildx build",
      "buildx rm",
    ]);
    const lines = logLines(events);
    expect(lines.filter((line) => line.startsWith("::pr-pod-report::{"))).toHaveLength(1);
    expect(new Set(lines).size).toBeGreaterThan(5);
    expect(JSON.stringify(events)).not.toContain(TEST_TOKEN);
    expect(server.requests.some((request) => request.authorized)).toBe(true);
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });

  it("with keep: true leaves exactly the run's objects, and its log lines are the pod's, in order", async () => {
    const context = await pullRequestOn(server, "kept-run");
    const run = runPrPod({ ...base(), pullRequest: { kind: "context", context }, keep: true });
    const events = await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    const name = result.jobName;
    const left = await leftovers(cluster.kubeConfig, "ci");
    expect(left.filter((o) => !o.startsWith("Pod/"))).toEqual(
      [`Job/${name}`, `Role/${name}`, `RoleBinding/${name}`, `Secret/${name}-token`, `ServiceAccount/${name}`].sort(),
    );
    expect(left.filter((o) => o.startsWith("Pod/"))).toHaveLength(1);
    expect(logLines(events)).toEqual(await podLog(name));
    await import("../src/index.ts").then(({ cleanupPrPods }) => cleanupPrPods(cluster.kubeConfig, { namespace: "ci" }));
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });

  it("gives every line exactly once when the log stream is cut 5 times mid-run", async () => {
    const context = await pullRequestOn(server, "cut-logs");
    cluster.faults.cutLogStream({ afterLines: 3, count: 5, match: { resource: "pods/log" } });
    const logRequestsBefore = cluster.requests.count({ resource: "pods/log" });
    // The build waits until the test has seen its first line, so the cuts happen while the pod runs.
    await docker.holdBuilds();
    const run = runPrPod({ ...base(), pullRequest: { kind: "context", context }, keep: true });
    const events: RunEvent[] = [];
    try {
      for await (const event of run) {
        events.push(event);
        if (event.type === "log-line" && event.line.includes("waiting for the test")) await docker.release();
      }
    } finally {
      await docker.release();
    }
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    expect(cluster.requests.count({ resource: "pods/log" }) - logRequestsBefore).toBeGreaterThanOrEqual(6);
    expect(logLines(events)).toEqual(await podLog(result.jobName));
    await import("../src/index.ts").then(({ cleanupPrPods }) => cleanupPrPods(cluster.kubeConfig, { namespace: "ci" }));
  });

  it("still sees the completion when its watches get 410 Gone and are cut", async () => {
    const context = await pullRequestOn(server, "cut-watches");
    cluster.requests.clear();
    // The first three watch requests (the Job, and the pod twice) get 410 Gone: each lists afresh and
    // watches from there; those watches are cut after one event and resume from their resourceVersion.
    cluster.faults.failNext({ status: 410, count: 3, match: { verb: "watch" } });
    cluster.faults.cutWatch({ afterEvents: 1, count: 3, match: { verb: "watch" } });
    const run = runPrPod({ ...base(), pullRequest: { kind: "context", context } });
    await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    expect(cluster.requests.list({ verb: "watch" }).filter((r) => r.status === 410)).toHaveLength(3);
    expect(cluster.requests.count({ verb: "list" })).toBeGreaterThanOrEqual(3);
    expect(cluster.requests.list({ verb: "watch" }).filter((r) => r.faulted === "cut watch")).toHaveLength(3);
  });

  it("deletes every object it created when aborted mid-build", async () => {
    const context = await pullRequestOn(server, "aborted-run");
    await docker.holdBuilds();
    const controller = new AbortController();
    const run = runPrPod({ ...base(), pullRequest: { kind: "context", context }, signal: controller.signal });
    const events: RunEvent[] = [];
    try {
      for await (const event of run) {
        events.push(event);
        if (event.type === "log-line" && event.line.includes("waiting for the test"))
          controller.abort(new Error("cancelled"));
      }
    } finally {
      await docker.release();
    }
    const result = await run.result;
    expect(result.status).toBe("aborted");
    const cleaned = events.find((e) => e.type === "cleaned-up");
    expect(cleaned).toBeDefined();
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });
});
