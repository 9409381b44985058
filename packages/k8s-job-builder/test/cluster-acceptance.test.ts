// The rendered manifests against an API server: the test cluster, driven by the real kubectl 1.35.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { buildTokenSecret } from "@pr-pod/pat-secret";
import type { PullRequestContext } from "@pr-pod/pr-context";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodResources, renderManifests } from "../src/index.ts";

const context: PullRequestContext = {
  owner: "acme",
  repo: "web",
  number: 9,
  title: "Cluster check",
  author: "dev",
  headSha: "abcdefabcdefabcdefabcdefabcdefabcdefabcd",
  headRef: "feature",
  headCloneUrl: "https://github.com/acme/web.git",
  baseRef: "main",
  baseCloneUrl: "https://github.com/acme/web.git",
  mergeRef: "refs/pull/9/merge",
  isFork: false,
  draft: false,
  state: "open",
  source: "offline",
};

function kubectl(
  cluster: TestCluster,
  args: string[],
  input: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const tools = process.env.PR_POD_KUBE_TOOLS;
  if (!tools) throw new Error("PR_POD_KUBE_TOOLS is not set: run the tests through the workspace's vitest config");
  return new Promise((resolve) => {
    const child = execFile(
      join(tools, "kubectl"),
      ["--kubeconfig", cluster.kubeconfigPath, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

describe("the rendered manifests on an API server", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ namespaces: ["ci"] });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  for (const build of [true, false]) {
    it(`pass kubectl create --dry-run=server (builds ${build ? "on" : "off"})`, async () => {
      const resources = buildPrPodResources(context, { namespace: "ci", build });
      const result = await kubectl(cluster, ["create", "--dry-run=server", "-f", "-"], renderManifests(resources));
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const expected = [`serviceaccount/${resources.name} created (server dry run)`];
      if (build) {
        expected.push(
          `role.rbac.authorization.k8s.io/${resources.name} created (server dry run)`,
          `rolebinding.rbac.authorization.k8s.io/${resources.name} created (server dry run)`,
        );
      }
      expected.push(`job.batch/${resources.name} created (server dry run)`);
      expect(result.stdout.trim().split("\n")).toEqual(expected);
    });
  }

  it("pass kubectl create --dry-run=server with local changes (run --source): the ConfigMap's binaryData too", async () => {
    const resources = buildPrPodResources(context, {
      namespace: "ci",
      build: false,
      localChanges: {
        headSha: "fedcba9876543210fedcba9876543210fedcba98",
        bundle: Buffer.from([0, 1, 2, 255]),
        diff: Buffer.from("diff --git a/x b/x\n"),
      },
    });
    const result = await kubectl(cluster, ["create", "--dry-run=server", "-f", "-"], renderManifests(resources));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      `serviceaccount/${resources.name} created (server dry run)`,
      `configmap/${resources.name}-local-changes created (server dry run)`,
      `job.batch/${resources.name} created (server dry run)`,
    ]);
  });

  it("would be refused with a misspelt field, so the dry run above checks something", async () => {
    const resources = buildPrPodResources(context, { namespace: "ci", build: false });
    const broken = renderManifests(resources).replace("restartPolicy: Never", "restartPolicyy: Never");
    const result = await kubectl(cluster, ["create", "--dry-run=server", "-f", "-"], broken);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/restartPolicy/);
  });

  it("are created by kubectl apply as written, next to the token Secret made by pat-secret", async () => {
    const resources = buildPrPodResources(context, { namespace: "ci", activeDeadlineSeconds: 300 });
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({
      namespace: "ci",
      body: buildTokenSecret(context, "ghp_testtesttesttesttesttesttesttest1234", { namespace: "ci" }),
    });
    const result = await kubectl(cluster, ["apply", "-f", "-"], renderManifests(resources));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    const job = await cluster.kubeConfig
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({ name: resources.name, namespace: "ci" });
    expect(job.spec?.activeDeadlineSeconds).toBe(300);
    expect(job.spec?.backoffLimit).toBe(0);
    const container = job.spec?.template.spec?.containers[0];
    expect(container?.args).toEqual(resources.job.spec?.template.spec?.containers[0]?.args);
    expect(container?.env?.find((e) => e.name === "PR_POD_GIT_TOKEN")?.valueFrom?.secretKeyRef).toEqual({
      name: resources.tokenSecretName,
      key: "token",
    });
    const role = await cluster.kubeConfig
      .makeApiClient(RbacAuthorizationV1Api)
      .readNamespacedRole({ name: resources.name, namespace: "ci" });
    expect(role.rules).toEqual(resources.role?.rules);
    const sa = await core.readNamespacedServiceAccount({ name: resources.name, namespace: "ci" });
    expect(sa.automountServiceAccountToken).toBe(false);
  });
});
