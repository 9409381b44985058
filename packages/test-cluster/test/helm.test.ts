// Real helm 4.1 against the test cluster: install with --wait, test hooks, upgrade and uninstall,
// as the preview deploy drives them.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["preview"] });
  dir = mkdtempSync(join(tmpdir(), "test-cluster-helm-"));
  cluster.runtime.onPod((pod) => {
    if (pod.object.metadata.annotations?.["helm.sh/hook"] === "test") {
      pod.succeed(["test ok"]);
      return;
    }
    if (pod.object.spec?.containers?.[0]?.image?.endsWith(":broken")) {
      pod.waiting("ImagePullBackOff", 'Back-off pulling image "registry.local/web:broken"');
      return;
    }
    pod.start({ ready: true });
  });
});
afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function helm(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      helmPath,
      ["--kubeconfig", cluster.kubeconfigPath, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          HELM_CACHE_HOME: join(dir, "cache"),
          HELM_CONFIG_HOME: join(dir, "config"),
          HELM_DATA_HOME: join(dir, "data"),
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

function writeChart(name: string, files: Record<string, string>): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, "templates", "tests"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`);
  writeFileSync(join(chart, "values.yaml"), "image:\n  repository: registry.local/web\n  tag: v1\n");
  for (const [path, text] of Object.entries(files)) writeFileSync(join(chart, path), text);
  return chart;
}

const webTemplates = {
  "templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: 2
  selector:
    matchLabels: { app: {{ .Release.Name }}-web }
  template:
    metadata:
      labels: { app: {{ .Release.Name }}-web }
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports: [{ containerPort: 8080 }]
`,
  "templates/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: { app: {{ .Release.Name }}-web }
  ports: [{ port: 80, targetPort: 8080 }]
`,
  "templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  greeting: hello
`,
  "templates/tests/test-web.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test-web
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox:1.36
      command: ["wget", "-qO-", "http://{{ .Release.Name }}-web:80/"]
`,
};

describe("helm 4.1 against the test cluster", () => {
  it("installs a chart with --wait, runs its test hook, upgrades in place and uninstalls", async () => {
    const chart = writeChart("web", webTemplates);
    const install = await helm(["upgrade", "--install", "demo", chart, "-n", "preview", "--wait", "--timeout", "60s"]);
    expect(install.stderr).toBe("");
    expect(install.code).toBe(0);
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: "demo-web", namespace: "preview" });
    expect(deployment.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(deployment.status?.observedGeneration).toBe(deployment.metadata?.generation);
    expect(deployment.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
    const releases = await cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .listNamespacedSecret({ namespace: "preview", labelSelector: "owner=helm,name=demo" });
    expect(releases.items.map((s) => s.type)).toEqual(["helm.sh/release.v1"]);
    const test = await helm(["test", "demo", "-n", "preview", "--logs"]);
    expect(test.stderr).toBe("");
    expect(test.stdout).toContain("test ok");
    const upgrade = await helm([
      "upgrade",
      "--install",
      "demo",
      chart,
      "-n",
      "preview",
      "--wait",
      "--set",
      "image.tag=v2",
    ]);
    expect(upgrade.stderr).toBe("");
    expect(upgrade.stdout).toContain("REVISION: 2");
    const sets = await apps.listNamespacedReplicaSet({ namespace: "preview" });
    expect(sets.items.map((rs) => [rs.spec?.template?.spec?.containers[0]?.image, rs.spec?.replicas]).sort()).toEqual([
      ["registry.local/web:v1", 0],
      ["registry.local/web:v2", 2],
    ]);
    const uninstall = await helm(["uninstall", "demo", "-n", "preview", "--wait"]);
    expect(uninstall.stderr).toBe("");
    expect((await apps.listNamespacedDeployment({ namespace: "preview" })).items).toEqual([]);
    expect((await apps.listNamespacedReplicaSet({ namespace: "preview" })).items).toEqual([]);
  }, 120_000);

  it("fails --wait when a Deployment's pods never become ready", async () => {
    const chart = writeChart("broken", webTemplates);
    const install = await helm([
      "upgrade",
      "--install",
      "broken",
      chart,
      "-n",
      "preview",
      "--wait",
      "--timeout",
      "3s",
      "--set",
      "image.tag=broken",
    ]);
    expect(install.code).not.toBe(0);
    expect(install.stderr).toMatch(/context deadline exceeded|timed out|not ready/i);
    const deployment = await cluster.kubeConfig
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: "broken-web", namespace: "preview" });
    expect(deployment.status?.conditions?.find((c) => c.type === "Available")?.reason).toBe(
      "MinimumReplicasUnavailable",
    );
    await helm(["uninstall", "broken", "-n", "preview"]);
  }, 120_000);
});
