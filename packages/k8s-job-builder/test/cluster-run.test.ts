// A whole run in the test cluster with its host runtime: the objects created through the API, the Job's pod
// running the real script as a host process (busybox sh, host git), cloning from a git server that demands
// the token from the Secret, and the report read back from the pod's termination message and log.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api, type V1Pod } from "@kubernetes/client-node";
import { parsePrPodReport } from "@pr-pod/file-verifier";
import { buildTokenSecret } from "@pr-pod/pat-secret";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodResources } from "../src/index.ts";
import { installDockerStandin } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const NAMESPACE = "ci";

let server: TestGitServer;
let cluster: TestCluster<HostRuntime>;
let standinDir: string;
const { contextFor, prRepo } = createPrFixtures(() => server, TOKEN);

beforeAll(async () => {
  server = await startTestGitServer({ token: TOKEN });
  standinDir = await mkdtemp(join(tmpdir(), "cluster-run-"));
  await mkdir(join(standinDir, "bin"));
  await installDockerStandin(join(standinDir, "bin"), join(standinDir, "docker.calls"));
  cluster = await startTestCluster({
    runtime: "host",
    namespaces: [NAMESPACE],
    hostRuntime: { extraPath: [join(standinDir, "bin")], killGraceMs: 200 },
  });
});
afterAll(async () => {
  await cluster?.close();
  await server?.close();
  await rm(standinDir, { recursive: true, force: true });
});

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function runInCluster(name: string, token: string, options: { build: boolean }) {
  const { headSha } = await prRepo(name, { "api/Dockerfile": "FROM scratch\n" });
  const context = contextFor(name, headSha);
  const resources = buildPrPodResources(context, { namespace: NAMESPACE, build: options.build, checkout: "merge" });
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
  await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: resources.serviceAccount });
  if (resources.role) await rbac.createNamespacedRole({ namespace: NAMESPACE, body: resources.role });
  if (resources.roleBinding)
    await rbac.createNamespacedRoleBinding({ namespace: NAMESPACE, body: resources.roleBinding });
  await core.createNamespacedSecret({
    namespace: NAMESPACE,
    body: buildTokenSecret(context, token, { namespace: NAMESPACE }),
  });
  await batch.createNamespacedJob({ namespace: NAMESPACE, body: resources.job });

  const job = await until(async () => {
    const current = await batch.readNamespacedJob({ name: resources.name, namespace: NAMESPACE });
    const done = current.status?.conditions?.find(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    return done ? { current, condition: done.type } : undefined;
  }, `job ${resources.name} to finish`);
  const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `job-name=${resources.name}` });
  const pod = pods.items[0] as V1Pod;
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  const logText = await core.readNamespacedPodLog({
    name: pod.metadata!.name!,
    namespace: NAMESPACE,
    container: "pr-pod",
  });
  return {
    job,
    terminated,
    logText,
    parsed: parsePrPodReport({ terminationMessage: terminated?.message, logText }),
    headSha,
  };
}

describe("a run in the test cluster", () => {
  it("completes: merge, verify, build through the docker stand-in, report in the termination message", async () => {
    const run = await runInCluster("in-cluster", TOKEN, { build: true });
    expect(run.job.condition, run.logText).toBe("Complete");
    expect(run.terminated?.exitCode).toBe(0);
    expect(run.parsed?.source).toBe("termination-message");
    expect(run.parsed?.report).toMatchObject({
      ok: true,
      checkout: "merge",
      headSha: run.headSha,
      artifacts: { dockerfiles: ["Dockerfile", "api/Dockerfile"] },
    });
    expect(run.parsed?.report.builds?.map((b) => [b.file, b.ok])).toEqual([
      ["Dockerfile", true],
      ["api/Dockerfile", true],
    ]);
    expect(run.logText).not.toContain(TOKEN);
  });

  it("fails with exit code 11 and says so when the Secret holds a wrong token", async () => {
    const wrong = "ghp_wrongwrongwrongwrongwrongwrong0000";
    const run = await runInCluster("in-cluster-wrong", wrong, { build: false });
    expect(run.job.condition).toBe("Failed");
    expect(run.terminated?.exitCode).toBe(11);
    expect(run.parsed?.report.error).toMatch(/refused the token/);
    expect(run.logText).not.toContain(wrong);
    expect(run.terminated?.message ?? "").not.toContain(wrong);
  });
});
