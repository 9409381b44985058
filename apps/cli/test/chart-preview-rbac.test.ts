// The chart's RBAC for a closed PR's previews, judged by the test cluster's RBAC: the rendered
// ServiceAccount, Roles and bindings are created for real, and the service's own cleanup
// (deletePullRequestPreviews, what it runs on `closed`) runs with that ServiceAccount's token. With
// previews.cleanup it deletes exactly the PR's previews and may do nothing else to them; without, it
// is refused (the service then warns and leaves them to expire).
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import {
  applyPreviewObjects,
  buildPreviewNamespaceObjects,
  deletePreview,
  deletePullRequestPreviews,
} from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tools = process.env.PR_POD_KUBE_TOOLS ?? resolve(import.meta.dirname, "../../../.tools/bin");
const chart = resolve(import.meta.dirname, "../chart");
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["ci"] });
});
afterAll(async () => {
  await cluster?.close();
});

function run(tool: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(join(tools, tool), args, { timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

/** Installs the chart's objects for real (helm template | kubectl create) and returns its ServiceAccount's credentials. */
async function installChart(release: string, sets: string[] = []): Promise<KubeConfig> {
  const template = await run("helm", [
    ...["template", release, chart, "-n", "ci", "--set", "webhookSecret=s3cret"],
    ...sets.flatMap((set) => ["--set", set]),
  ]);
  expect(template.stderr).toBe("");
  const created = await run(
    "kubectl",
    ["--kubeconfig", cluster.kubeconfigPath, "create", "-n", "ci", "-f", "-", "-o", "name"],
    template.stdout,
  );
  expect(created.stderr).toBe("");
  const serviceAccount = `${release}-serve`;
  const answer = await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: "ci",
    name: serviceAccount,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const server = cluster.kubeConfig.getCurrentCluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ ...server, name: "test" }],
    users: [{ name: serviceAccount, token: answer.status?.token }],
    contexts: [{ name: "serve", cluster: "test", user: serviceAccount, namespace: "ci" }],
    currentContext: "serve",
  });
  return kubeConfig;
}

async function preview(repo: string, pr: number): Promise<string> {
  const objects = buildPreviewNamespaceObjects({ repo, pr, namespace: `pr-${pr}-${repo.split("/")[1]}` });
  await applyPreviewObjects(cluster.kubeConfig, objects);
  return objects[0]?.metadata.name as string;
}

const exists = (name: string) =>
  cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespace({ name })
    .then(
      () => true,
      () => false,
    );

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: { code?: number }) => error.code,
  );

describe("the service's RBAC for previews", () => {
  it("lets the service delete a closed PR's previews, and nothing else of theirs", async () => {
    const serve = await installChart("pr-pod");
    const closing = await preview("octo/widgets", 5);
    const other = await preview("octo/widgets", 6);
    try {
      expect(await deletePullRequestPreviews(serve, { repo: "octo/widgets", pr: 5 })).toEqual({
        namespaces: [closing],
        stillTerminating: [],
      });
      expect(await exists(closing)).toBe(false);
      expect(await exists(other)).toBe(true);
      const core = serve.makeApiClient(CoreV1Api);
      // No verb that makes or changes a namespace, and nothing inside a preview.
      expect(await statusOf(core.createNamespace({ body: { metadata: { name: "made-by-serve" } } }))).toBe(403);
      expect(
        await statusOf(
          core.patchNamespace({ name: other, body: [{ op: "add", path: "/metadata/labels/x", value: "y" }] }),
        ),
      ).toBe(403);
      expect(await statusOf(core.listNamespacedSecret({ namespace: other }))).toBe(403);
      expect(await statusOf(core.listNamespacedPod({ namespace: other }))).toBe(403);
    } finally {
      await deletePreview(cluster.kubeConfig, other);
    }
  });

  it("gives no namespace rights with previews.cleanup=false: the cleanup is refused with 403", async () => {
    const serve = await installChart("quiet", ["previews.cleanup=false"]);
    const kept = await preview("octo/widgets", 7);
    try {
      expect(await statusOf(deletePullRequestPreviews(serve, { repo: "octo/widgets", pr: 7 }))).toBe(403);
      expect(await exists(kept)).toBe(true);
    } finally {
      await deletePreview(cluster.kubeConfig, kept);
    }
  });
});
