// Each stored resource through client-node's generic object API and Watch: create, read, watch,
// delete, and the 404 that follows.
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
let objects: KubernetesObjectApi;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["every"] });
  objects = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
});
afterAll(() => cluster.close());

const samples = [
  { path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "made" } } },
  {
    path: "/api/v1/namespaces/every/configmaps",
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "b" } },
  },
  {
    path: "/api/v1/namespaces/every/secrets",
    body: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { a: "Yg==" } },
  },
  {
    path: "/api/v1/namespaces/every/serviceaccounts",
    body: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } },
  },
  {
    path: "/api/v1/namespaces/every/pods",
    body: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    },
  },
  {
    path: "/api/v1/namespaces/every/events",
    body: {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e" },
      involvedObject: { kind: "Pod", name: "p" },
      reason: "R",
    },
  },
  {
    path: "/apis/batch/v1/namespaces/every/jobs",
    body: {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
    },
  },
  {
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/every/roles",
    body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r" }, rules: [] },
  },
  {
    path: "/apis/rbac.authorization.k8s.io/v1/namespaces/every/rolebindings",
    body: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "rb" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
      subjects: [],
    },
  },
];

describe("every resource through client-node", () => {
  for (const { path, body } of samples) {
    it(`creates, reads, watches and deletes a ${body.kind}`, async () => {
      const namespaced = path.includes("/namespaces/every/");
      const spec: KubernetesObject & { metadata: { name: string } } = {
        ...body,
        metadata: { ...body.metadata, ...(namespaced ? { namespace: "every" } : {}) },
      };
      const seen: string[] = [];
      let abort: { abort(): void } | undefined;
      const sawBoth = new Promise<void>((resolve, reject) => {
        new Watch(cluster.kubeConfig)
          .watch(
            path,
            { fieldSelector: `metadata.name=${body.metadata.name}` },
            (type) => {
              seen.push(type);
              if (seen.includes("DELETED")) resolve();
            },
            (err) => (err ? reject(err) : undefined),
          )
          .then((controller) => {
            abort = controller;
          }, reject);
      });
      // The watch is registered once its request is on the server.
      while (cluster.requests.count({ verb: "watch", path }) === 0) await new Promise((r) => setImmediate(r));

      const created = await objects.create(spec);
      expect(created.metadata?.uid).toBeDefined();
      const read = await objects.read({ apiVersion: body.apiVersion, kind: body.kind, metadata: spec.metadata });
      expect(read.metadata?.resourceVersion).toBeDefined();
      await objects.delete(
        { apiVersion: body.apiVersion, kind: body.kind, metadata: spec.metadata },
        undefined,
        undefined,
        0,
        undefined,
        "Background",
      );
      await sawBoth;
      abort?.abort();
      expect(seen[0]).toBe("ADDED");
      let code = 0;
      for (let i = 0; i < 1000 && code !== 404; i++) {
        try {
          await objects.read({ apiVersion: body.apiVersion, kind: body.kind, metadata: spec.metadata });
        } catch (error) {
          code = error instanceof ApiException ? error.code : -1;
        }
      }
      expect(code).toBe(404);
    });
  }

  it("deletes a collection by label selector", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    for (const [name, app] of [
      ["k1", "keep"],
      ["d1", "drop"],
      ["d2", "drop"],
    ]) {
      await core.createNamespacedConfigMap({
        namespace: "every",
        body: { metadata: { name, labels: { app: app as string } } },
      });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: "every", labelSelector: "app=drop" });
    const left = await core.listNamespacedConfigMap({ namespace: "every", labelSelector: "app" });
    expect(left.items.map((c) => c.metadata?.name)).toEqual(["k1"]);
  });

  it("writes pod and job status through their status subresources only", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    await core.createNamespacedPod({
      namespace: "every",
      body: { metadata: { name: "st" }, spec: { containers: [{ name: "c", image: "busybox" }] } },
    });
    const pod = await cluster.runtime.waitForPod({ name: "st" });
    pod.start();
    const current = await core.readNamespacedPod({ name: "st", namespace: "every" });
    const written = await core.replaceNamespacedPodStatus({
      name: "st",
      namespace: "every",
      body: {
        ...current,
        metadata: { ...current.metadata, labels: { ignored: "yes" } },
        status: { ...current.status, message: "hi" },
      },
    });
    expect(written.status?.message).toBe("hi");
    expect(written.metadata?.labels?.ignored).toBeUndefined();

    await batch.createNamespacedJob({
      namespace: "every",
      body: {
        metadata: { name: "js" },
        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "b" }] } } },
      },
    });
    const status = await batch.readNamespacedJobStatus({ name: "js", namespace: "every" });
    expect(status.spec?.template).toBeDefined();
  });
});
