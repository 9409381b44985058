// The chart's RBAC for a closed PR's previews, judged by the test cluster's RBAC: the rendered
// ServiceAccount, Roles and bindings are created for real, and the service's own cleanup
// (deletePullRequestPreviews, what it runs on `closed`) runs with that ServiceAccount's token. With
// previews.cleanup it deletes exactly the PR's previews and may do nothing else to them; without, it
// is refused (the service then warns and leaves them to expire). With previews.deploy, a run's preview
// deploy (deployPreview with the real helm, what `pr-pod serve --deploy-previews` runs) works with that
// token and still reads nothing inside the preview; without it, the deploy is refused.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import {
  applyPreviewObjects,
  buildPreviewNamespaceObjects,
  deletePreview,
  deletePullRequestPreviews,
  deployPreview,
} from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tools = process.env.PR_POD_KUBE_TOOLS ?? resolve(import.meta.dirname, "../../../.tools/bin");
const chart = resolve(import.meta.dirname, "../chart");
let cluster: TestCluster;
let siteChart: string;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["ci"] });
  siteChart = mkdtempSync(join(tmpdir(), "pr-pod-chart-rbac-"));
  mkdirSync(join(siteChart, "templates"));
  writeFileSync(join(siteChart, "Chart.yaml"), "apiVersion: v2\nname: site\nversion: 0.1.0\n");
  writeFileSync(
    join(siteChart, "templates", "settings.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: '{{ .Release.Name }}-settings' }\ndata: { greeting: hello }\n",
  );
});
afterAll(async () => {
  await cluster?.close();
  if (siteChart) rmSync(siteChart, { recursive: true, force: true });
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
      expect(cluster.hasNamespace(closing)).toBe(false);
      expect(cluster.hasNamespace(other)).toBe(true);
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
      expect(cluster.hasNamespace(kept)).toBe(true);
    } finally {
      await deletePreview(cluster.kubeConfig, kept);
    }
  });

  const deploy = (kubeConfig: KubeConfig, pr: number) =>
    deployPreview({
      kubeConfig,
      helmPath: join(tools, "helm"),
      repo: "octo/widgets",
      pr,
      quota: { pods: "10" },
      containerDefaults: { default: { cpu: "100m" } },
      charts: [{ release: "site", chart: siteChart, images: [], timeoutSeconds: 60 }],
    });

  it("with previews.deploy lets the service deploy a preview as its own ServiceAccount, and read nothing in it", async () => {
    const serve = await installChart("deployer", ["previews.deploy=true"]);
    const deployment = await deploy(serve, 9);
    try {
      expect(deployment.namespace).toBe("pr-9-widgets");
      const settings = await cluster.kubeConfig
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ namespace: deployment.namespace, name: "site-settings" });
      expect(settings.data).toEqual({ greeting: "hello" });
      const core = serve.makeApiClient(CoreV1Api);
      expect(await statusOf(core.listNamespacedSecret({ namespace: deployment.namespace }))).toBe(403);
      expect(await statusOf(core.listNamespacedPod({ namespace: deployment.namespace }))).toBe(403);
      expect(await statusOf(core.listNamespacedConfigMap({ namespace: deployment.namespace }))).toBe(403);
      // Re-running the PR applies the same objects again.
      (await deploy(serve, 9)).credentials.dispose();
      await deletePreview(serve, deployment.namespace);
      expect(cluster.hasNamespace(deployment.namespace)).toBe(false);
    } finally {
      deployment.credentials.dispose();
      await deletePreview(cluster.kubeConfig, deployment.namespace);
    }
  });

  it("refuses the deploy without previews.deploy (403), before any namespace exists", async () => {
    const serve = await installChart("builder");
    expect(await statusOf(deploy(serve, 10))).toBe(403);
    expect(cluster.hasNamespace("pr-10-widgets")).toBe(false);
  });

  it("will not render previews.deploy without previews.cleanup, and says why", async () => {
    const template = await run("helm", [
      ...["template", "pr-pod", chart, "-n", "ci", "--set", "webhookSecret=s3cret"],
      ...["--set", "previews.deploy=true", "--set", "previews.cleanup=false"],
    ]);
    expect(template.code).not.toBe(0);
    expect(template.stderr).toContain("previews.deploy needs previews.cleanup: true");
  });
});
