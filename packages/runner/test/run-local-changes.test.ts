// `pr-pod run --source` through the runner: the local changes (a bundle of an unpushed commit and a
// binary diff of uncommitted work) travel in a ConfigMap owned by the Job; the test cluster's host runtime
// mounts it and the real pod script applies both after cloning the pushed head from the real git server.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import type { PullRequestContext } from "@pr-pod/pr-context";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChanges, type RunPrPodOptions, runPrPod } from "../src/index.ts";
import { type DockerStandin, installDockerStandin, pullRequestOn } from "./host-run-fixtures.ts";
import { collect, leftovers, TEST_TOKEN } from "./run-helpers.ts";

let server: TestGitServer;
let docker: DockerStandin;
let cluster: TestCluster<HostRuntime>;
let scratch: string;

beforeAll(async () => {
  server = await startTestGitServer({ token: TEST_TOKEN });
  docker = await installDockerStandin();
  scratch = await mkdtemp(join(tmpdir(), "runner-local-"));
  cluster = await startTestCluster({
    runtime: "host",
    namespaces: ["ci"],
    hostRuntime: { extraPath: [docker.binDir], killGraceMs: 200 },
  });
});
afterAll(async () => {
  await cluster?.close();
  await server?.close();
  await docker?.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile(
      "git",
      ["-c", "user.name=dev", "-c", "user.email=dev@example.com", ...args],
      { cwd, env: { ...process.env, ...env }, encoding: "buffer" },
      (error, stdout, stderr) => (error ? reject(new Error(stderr.toString())) : resolve(stdout)),
    ),
  );
}

/** A checkout of the PR branch with one unpushed commit that adds a Dockerfile and an uncommitted file. */
async function localChangesFor(name: string, pushedSha: string): Promise<LocalChanges> {
  const checkout = join(scratch, name);
  await git(["clone", "--quiet", "--branch", "feature", join(server.root, `acme/${name}.git`), checkout], scratch);
  await writeFile(join(checkout, "Dockerfile.local"), "FROM scratch\n");
  await git(["add", "Dockerfile.local"], checkout);
  await git(["commit", "--quiet", "-m", "not pushed"], checkout);
  await writeFile(join(checkout, "data.bin"), Buffer.from([0, 159, 146, 150, 255]));
  const headSha = (await git(["rev-parse", "HEAD"], checkout)).toString().trim();
  await git(["bundle", "create", "--quiet", join(scratch, `${name}.bundle`), "HEAD", `^${pushedSha}`], checkout);
  const index = join(scratch, `${name}.index`);
  await git(["read-tree", "HEAD"], checkout, { GIT_INDEX_FILE: index });
  await git(["add", "--all"], checkout, { GIT_INDEX_FILE: index });
  const diff = await git(["diff", "--cached", "--binary", "HEAD"], checkout, { GIT_INDEX_FILE: index });
  return { headSha, bundle: await readFile(join(scratch, `${name}.bundle`)), diff };
}

/** A run of `context` in namespace ci with the token and these local changes. */
function runWithChanges(context: PullRequestContext, localChanges: LocalChanges, extra: Partial<RunPrPodOptions> = {}) {
  return runPrPod({
    kubeConfig: cluster.kubeConfig,
    namespace: "ci",
    token: TEST_TOKEN,
    noConfigFile: true,
    pullRequest: { kind: "context", context },
    localChanges,
    ...extra,
  });
}

describe("a run with local changes (run --source)", () => {
  it("creates the ConfigMap with the Job, builds the local tree, and leaves nothing behind", async () => {
    const context = await pullRequestOn(server, "local-run");
    const localChanges = await localChangesFor("local-run", context.headSha);
    const callsBefore = (await docker.calls()).length;
    cluster.requests.clear();
    const run = runWithChanges(context, localChanges);
    const events = await collect(run);
    const result = await run.result;

    expect(result.status, result.message).toBe("succeeded");
    expect(result.report).toMatchObject({ ok: true, headSha: context.headSha, sha: localChanges.headSha });
    expect(result.report).toMatchObject({ artifacts: { dockerfiles: ["Dockerfile", "Dockerfile.local"] } });
    const created = events.flatMap((e) => (e.type === "created" ? [e.kind] : []));
    expect(created).toEqual(["Job", "Secret", "ConfigMap", "ServiceAccount", "Role", "RoleBinding"]);
    const builds = (await docker.calls()).slice(callsBefore).filter((call) => call[1] === "build");
    expect(builds.flat()).toContainEqual(expect.stringMatching(/src\/Dockerfile\.local$/));
    // Budget: one create more than a plain run, and still objects created + 4 besides the streams
    // (+ the local-registry-hosting read).
    const counters = cluster.requests.counters();
    const rest = Object.entries(counters).filter(([key]) => !key.startsWith("watch ") && key !== "get pods/log");
    expect(counters["create configmaps"]).toBe(1);
    expect(rest.reduce((sum, [, count]) => sum + count, 0)).toBe(created.length + 4);
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });

  it("owns the ConfigMap by the Job, so keep: true leaves it and cleanupPrPods removes it", async () => {
    const context = await pullRequestOn(server, "local-kept");
    const localChanges = await localChangesFor("local-kept", context.headSha);
    const run = runWithChanges(context, localChanges, { keep: true });
    await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const configMap = await core.readNamespacedConfigMap({ namespace: "ci", name: `${result.jobName}-local-changes` });
    expect(configMap.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: "Job", name: result.jobName }),
    ]);
    expect(Object.keys(configMap.binaryData ?? {}).sort()).toEqual(["local.bundle", "local.diff"]);
    const { cleanupPrPods } = await import("../src/index.ts");
    const deleted = await cleanupPrPods(cluster.kubeConfig, { namespace: "ci" });
    expect(deleted.map((o) => o.kind)).toContain("ConfigMap");
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });

  it("refuses changes over the 1 MiB ConfigMap limit before creating anything", async () => {
    const context = await pullRequestOn(server, "local-big");
    const run = runWithChanges(context, { headSha: context.headSha, diff: Buffer.alloc(900 * 1024, 1) });
    await expect(collect(run)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("over the 1.00 MiB ConfigMap limit"),
    });
    expect(await leftovers(cluster.kubeConfig, "ci")).toEqual([]);
  });
});
