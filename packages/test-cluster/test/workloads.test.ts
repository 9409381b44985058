// Deployments, ReplicaSets and ResourceQuota on the test cluster: a rollout's status as kubectl and
// Helm read it, and pods refused by quota surfacing as ReplicaFailure with the API server's message.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["quota", "rollout"] });
  cluster.runtime.onPod((pod) => {
    if (pod.object.spec?.containers?.[0]?.image?.endsWith(":probe-fails")) {
      pod.failReadinessProbe("HTTP probe failed with statuscode: 503", { times: 2 });
    } else pod.start({ ready: true });
  });
});
afterAll(async () => {
  await cluster?.close();
});

const deployment = (name: string, replicas: number, image = "registry.local/web:v1") => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image }] } },
  },
});

describe("Deployments", () => {
  it("roll out a new template to a new ReplicaSet and scale the old one to 0", async () => {
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "rollout", body: deployment("web", 2) });
    await vi.waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: "web", namespace: "rollout" });
        expect(d.status?.availableReplicas).toBe(2);
      },
      { timeout: 20_000 },
    );
    await apps.replaceNamespacedDeployment({
      name: "web",
      namespace: "rollout",
      body: deployment("web", 2, "registry.local/web:v2"),
    });
    await vi.waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: "web", namespace: "rollout" });
        expect(d.status).toMatchObject({
          observedGeneration: 2,
          replicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2,
        });
        expect(d.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
      },
      { timeout: 20_000 },
    );
    const sets = await apps.listNamespacedReplicaSet({ namespace: "rollout" });
    expect(sets.items.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
    const pods = await cluster.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "rollout" });
    expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image)).toEqual([
      "registry.local/web:v2",
      "registry.local/web:v2",
    ]);
  });

  it("show a failing readiness probe as a kubelet does: running, Ready=False, one Unhealthy Event counting failures", async () => {
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: "rollout",
      body: deployment("probe", 1, "registry.local/web:probe-fails"),
    });
    await vi.waitFor(
      async () => {
        const events = await core.listNamespacedEvent({ namespace: "rollout" });
        expect(events.items.filter((e) => e.reason === "Unhealthy")).toEqual([
          expect.objectContaining({
            type: "Warning",
            message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
            count: 2,
            source: { component: "kubelet" },
            involvedObject: expect.objectContaining({ kind: "Pod", fieldPath: "spec.containers{web}" }),
          }),
        ]);
      },
      { timeout: 20_000 },
    );
    const pods = await core.listNamespacedPod({ namespace: "rollout", labelSelector: "app=probe" });
    expect(pods.items[0]?.status?.phase).toBe("Running");
    expect(pods.items[0]?.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });
    expect(pods.items[0]?.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [web]",
    });
    const probe = await apps.readNamespacedDeployment({ name: "probe", namespace: "rollout" });
    expect(probe.status?.availableReplicas ?? 0).toBe(0);
  });

  it("show pods refused by a ResourceQuota as ReplicaFailure with the quota's message", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    await core.createNamespacedResourceQuota({
      namespace: "quota",
      body: { metadata: { name: "preview" }, spec: { hard: { pods: "1" } } },
    });
    await apps.createNamespacedDeployment({ namespace: "quota", body: deployment("api", 2) });
    await vi.waitFor(
      async () => {
        const d = await apps.readNamespacedDeployment({ name: "api", namespace: "quota" });
        const failure = d.status?.conditions?.find((c) => c.type === "ReplicaFailure");
        expect(failure).toMatchObject({ status: "True", reason: "FailedCreate" });
        expect(failure?.message).toMatch(
          /^pods "api-[a-z0-9]+-" is forbidden: exceeded quota: preview, requested: pods=1, used: pods=1, limited: pods=1$/,
        );
      },
      { timeout: 20_000 },
    );
    const events = await core.listNamespacedEvent({ namespace: "quota" });
    expect(events.items.some((e) => e.reason === "FailedCreate" && e.message?.includes("exceeded quota"))).toBe(true);
    expect((await core.listNamespacedPod({ namespace: "quota" })).items).toHaveLength(1);
  });
});
