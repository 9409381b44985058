// deployPreview and deletePreview against the test cluster with the real helm 4.1: a chart that
// deploys, one that never becomes ready, one that crashes, one that wants a cluster-scoped object,
// a re-run that upgrades in place, and a teardown that leaves nothing behind.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupExpiredPreviews,
  deletePreview,
  deployPreview,
  listPreviews,
  PreviewDeployError,
  type PreviewDeployment,
} from "../src/index.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let cluster: TestCluster;
let dir: string;
/** When the scripted runtime put each pod into its hopeless state. */
const hopelessAt = new Map<string, number>();

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = mkdtempSync(join(tmpdir(), "preview-deploy-"));
  cluster.runtime.onPod((pod) => {
    const image: string = pod.object.spec?.containers?.[0]?.image ?? "";
    if (image.endsWith(":missing")) {
      pod.waiting("ImagePullBackOff", `Back-off pulling image "${image}"`);
      hopelessAt.set(pod.namespace, Date.now());
      return;
    }
    if (image.endsWith(":crash")) {
      setImmediate(() => {
        pod.start();
        pod.log(["starting web", "fatal: DATABASE_URL is not set"]);
        pod.exit(1);
      });
      return;
    }
    // Runs, and its readiness probe fails three times (the default failureThreshold), as the kubelet
    // shows it: Ready=False, container ready=false, an Unhealthy Event counting the failures.
    if (image.endsWith(":probe-fails")) {
      pod.start({ ready: false });
      pod.log(["listening on :8080", "GET /healthz -> 503 (cache not warm)"]);
      pod.failReadinessProbe('Get "http://10.244.0.7:8080/healthz": context deadline exceeded', { times: 2 });
      hopelessAt.set(pod.namespace, Date.now());
      pod.failReadinessProbe('Get "http://10.244.0.7:8080/healthz": context deadline exceeded');
      return;
    }
    // Runs, never passes its readiness probe (the kubelet keeps Ready false).
    if (image.endsWith(":unready")) {
      pod.start({ ready: false });
      pod.log(["listening on :8080", "GET /ready -> 503 (database not migrated)"]);
      return;
    }
    pod.start({ ready: true });
  });
});
afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function writeChart(name: string, extra: Record<string, string> = {}): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, "templates"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`);
  writeFileSync(join(chart, "values.yaml"), "replicaCount: 1\nimage:\n  repository: nginx\n  tag: latest\n");
  writeFileSync(
    join(chart, "templates", "web.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: { app: {{ .Release.Name }}-web }
  template:
    metadata:
      labels: { app: {{ .Release.Name }}-web }
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: { app: {{ .Release.Name }}-web }
  ports: [{ port: 80, targetPort: 8080 }]
`,
  );
  for (const [path, text] of Object.entries(extra)) writeFileSync(join(chart, "templates", path), text);
  return chart;
}

const deploy = (pr: number, chart: string, tag: string, extra: { timeoutSeconds?: number } = {}) =>
  deployPreview({
    kubeConfig: cluster.kubeConfig,
    helmPath,
    repo: "octo/shop",
    pr,
    charts: [
      {
        release: "shop",
        chart,
        images: [{ source: "web", repository: "registry.local/shop", tag }],
        timeoutSeconds: extra.timeoutSeconds ?? 120,
      },
    ],
  });

async function failureOf(promise: Promise<PreviewDeployment>): Promise<PreviewDeployError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PreviewDeployError);
  return error as PreviewDeployError;
}

describe("deployPreview", () => {
  it("deploys a chart with the built image as the preview ServiceAccount, and a re-run upgrades it in place", async () => {
    const chart = writeChart("shop");
    const first = await deploy(1, chart, "sha-1");
    // The preview's credentials reach nothing outside its namespace: not the run's token Secret.
    const own = new KubeConfig();
    own.loadFromFile(first.credentials.kubeconfigPath);
    await expect(own.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: "default" })).rejects.toMatchObject({
      code: 403,
    });
    expect(readFileSync(first.credentials.kubeconfigPath, "utf8")).not.toContain(cluster.tokens.admin);
    first.credentials.dispose();
    expect(first.namespace).toBe("pr-1-shop");
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: "shop-web", namespace: "pr-1-shop" });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("registry.local/shop:sha-1");
    expect(deployment.status?.availableReplicas).toBe(1);
    // helm spoke as the preview ServiceAccount, never with the admin token.
    const helmWrites = cluster.requests.list({ verb: "patch", resource: "deployments", namespace: "pr-1-shop" });
    expect(helmWrites.map((r) => r.user)).toContain("system:serviceaccount:pr-1-shop:pr-pod-preview");

    const second = await deploy(1, chart, "sha-2");
    second.credentials.dispose();
    const upgraded = await apps.readNamespacedDeployment({ name: "shop-web", namespace: "pr-1-shop" });
    expect(upgraded.metadata?.uid).toBe(deployment.metadata?.uid);
    expect(upgraded.spec?.template.spec?.containers[0]?.image).toBe("registry.local/shop:sha-2");
    const releases = await cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .listNamespacedSecret({ namespace: "pr-1-shop", labelSelector: "owner=helm,name=shop" });
    expect(releases.items.map((s) => s.metadata?.labels?.version).sort()).toEqual(["1", "2"]);
    expect((await listPreviews(cluster.kubeConfig)).map((p) => [p.namespace, p.repo, p.pr])).toContainEqual([
      "pr-1-shop",
      "octo.shop",
      1,
    ]);
  });

  it("reports a Deployment that can never become ready, with its reason, long before helm's timeout", async () => {
    const started = Date.now();
    const error = await failureOf(deploy(2, writeChart("shop"), "missing", { timeoutSeconds: 300 }));
    const reportedAt = Date.now();
    expect(error.failure).toBe("not-ready");
    expect(error.diagnoses[0]).toMatchObject({
      workload: "deployment/shop-web",
      container: "web",
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "registry.local/shop:missing"',
    });
    expect(error.message).toMatch(/^preview: release "shop" cannot become ready: deployment\/shop-web, pod shop-web-/);
    expect(reportedAt - (hopelessAt.get("pr-2-shop") ?? started)).toBeLessThan(10_000);
  });

  it("reports a failing readiness probe within 10 s of the kubelet's Unhealthy Event, not at helm's timeout", async () => {
    const error = await failureOf(deploy(8, writeChart("shop"), "probe-fails", { timeoutSeconds: 300 }));
    const reportedAt = Date.now();
    expect(error.failure).toBe("not-ready");
    expect(error.diagnoses[0]).toMatchObject({
      workload: "deployment/shop-web",
      container: "web",
      reason: "ReadinessProbeFailed",
      message:
        'Readiness probe failed: Get "http://10.244.0.7:8080/healthz": context deadline exceeded (3 times in a row, failureThreshold 3)',
      lastLogLines: ["listening on :8080", "GET /healthz -> 503 (cache not warm)"],
    });
    expect(error.message).toMatch(/^preview: release "shop" cannot become ready: deployment\/shop-web, pod shop-web-/);
    expect(reportedAt - (hopelessAt.get("pr-8-shop") ?? 0)).toBeLessThan(10_000);
    // What a kubelet shows, and what the report was made from: Ready=False and the counted Event.
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const pod = await core.readNamespacedPod({ name: error.diagnoses[0]?.pod ?? "", namespace: "pr-8-shop" });
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
    });
    const events = await core.listNamespacedEvent({ namespace: "pr-8-shop" });
    expect(events.items.filter((e) => e.reason === "Unhealthy")).toEqual([
      expect.objectContaining({
        type: "Warning",
        count: 3,
        involvedObject: expect.objectContaining({ kind: "Pod", fieldPath: "spec.containers{web}" }),
      }),
    ]);
  });

  it("names a Deployment whose pods run but never become Ready once helm's --wait times out", async () => {
    const error = await failureOf(deploy(7, writeChart("shop"), "unready", { timeoutSeconds: 2 }));
    expect(error.failure).toBe("not-ready");
    expect(error.diagnoses[0]).toMatchObject({
      workload: "deployment/shop-web",
      container: "web",
      reason: "ReadinessProbeFailed",
      lastLogLines: ["listening on :8080", "GET /ready -> 503 (database not migrated)"],
    });
    expect(error.message).toMatch(/^preview: release "shop" did not become ready within 2s:\n- deployment\/shop-web/);
  });

  it("reports a crashing container with its last log lines", async () => {
    const error = await failureOf(deploy(3, writeChart("shop"), "crash"));
    expect(error.diagnoses[0]).toMatchObject({
      workload: "deployment/shop-web",
      reason: "CrashLoopBackOff",
      lastLogLines: ["starting web", "fatal: DATABASE_URL is not set"],
    });
    expect(error.message).toContain("fatal: DATABASE_URL is not set");
  });

  it("reports pods the preview's ResourceQuota refuses, with the quota's message, long before helm's timeout", async () => {
    const chart = writeChart("shop");
    const started = Date.now();
    const error = await failureOf(
      deployPreview({
        kubeConfig: cluster.kubeConfig,
        helmPath,
        repo: "octo/shop",
        pr: 6,
        quota: { pods: "1" },
        charts: [{ release: "shop", chart, set: { replicaCount: "2" }, timeoutSeconds: 300 }],
      }),
    );
    expect(error.failure).toBe("not-ready");
    expect(error.diagnoses[0]).toMatchObject({ workload: "deployment/shop-web", reason: "FailedCreate" });
    expect(error.diagnoses[0]?.message).toMatch(
      /exceeded quota: pr-pod-preview, requested: pods=1, used: pods=1, limited: pods=1/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("refuses a chart that creates a cluster-scoped object, saying what it tried and why", async () => {
    const chart = writeChart("greedy", {
      "clusterrole.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-reader
rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }]
`,
    });
    const error = await failureOf(deploy(4, chart, "sha-1"));
    expect(error.failure).toBe("forbidden");
    expect(error.message).toContain(
      'it needs clusterroles.rbac.authorization.k8s.io "shop-reader" at the cluster scope (refused: get), but the preview runs as ServiceAccount pr-4-shop/pr-pod-preview, bound only inside namespace pr-4-shop',
    );
    await expect(
      cluster.kubeConfig.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: "pr-4-shop" }),
    ).resolves.toMatchObject({ items: [] });
  });
});

describe("deletePreview", () => {
  it("removes the preview namespace and everything in it, and is fine when it is already gone", async () => {
    const deployed = await deploy(5, writeChart("shop"), "sha-1");
    deployed.credentials.dispose();
    await deletePreview(cluster.kubeConfig, "pr-5-shop");
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await expect(core.readNamespace({ name: "pr-5-shop" })).rejects.toMatchObject({ code: 404 });
    const left = [
      ...(await core.listPodForAllNamespaces()).items,
      ...(await core.listSecretForAllNamespaces()).items,
      ...(await core.listServiceForAllNamespaces()).items,
      ...(await cluster.kubeConfig.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()).items,
    ].filter((o) => o.metadata?.namespace === "pr-5-shop");
    expect(left).toEqual([]);
    await deletePreview(cluster.kubeConfig, "pr-5-shop");
  });
});

describe("cleanupExpiredPreviews", () => {
  it("deletes a kept preview once its expiry has passed, and leaves one that has not expired", async () => {
    const kept = (pr: number, expiresAt: Date) =>
      deployPreview({
        kubeConfig: cluster.kubeConfig,
        helmPath,
        repo: "octo/ttl",
        pr,
        expiresAt,
        charts: [{ release: "ttl", chart: writeChart("ttl"), timeoutSeconds: 120 }],
      }).then((p) => p.credentials.dispose());
    await kept(31, new Date("2026-12-03T10:00:00Z"));
    await kept(32, new Date("2026-12-03T14:00:00Z"));
    const removed = await cleanupExpiredPreviews(cluster.kubeConfig, {
      now: new Date("2026-12-03T12:00:00Z"),
      orphanAfterHours: 1000,
    });
    expect(removed).toContain("pr-31-ttl");
    expect(removed).not.toContain("pr-32-ttl");
    const left = (await listPreviews(cluster.kubeConfig)).map((p) => p.namespace);
    expect(left).toContain("pr-32-ttl");
    expect(left).not.toContain("pr-31-ttl");
  });
});
