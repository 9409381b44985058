// Answers seen side by side with a real API server (issue 17): anonymous requests, Job names that make
// over-long labels, server-side apply without a field manager, and watches from beyond the watch cache.
import { BatchV1Api, CoreV1Api, type V1Job, type V1Status, Watch } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
beforeEach(async () => {
  cluster = await startTestCluster({ http: true, watchCacheSize: 5 });
});
afterEach(() => cluster.close());

const admin = () => ({ Authorization: `Bearer ${cluster.tokens.admin}` });

function job(name: string): V1Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
    },
  };
}

describe("requests without credentials", () => {
  it("are the anonymous user, who is 403 Forbidden on resources", async () => {
    const response = await fetch(`${cluster.url}/api/v1/namespaces/default/pods`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });
    const job = await fetch(`${cluster.url}/apis/batch/v1/namespaces/ci/jobs/build`);
    expect(((await job.json()) as V1Status).message).toBe(
      'jobs.batch "build" is forbidden: User "system:anonymous" cannot get resource "jobs" in API group "batch" in the namespace "ci"',
    );
  });

  it("are 403 on discovery paths too, and may read /version", async () => {
    const response = await fetch(`${cluster.url}/apis`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      message: 'forbidden: User "system:anonymous" cannot get path "/apis"',
      reason: "Forbidden",
      code: 403,
    });
    expect((await fetch(`${cluster.url}/version`)).status).toBe(200);
  });

  it("differ from a token the server does not accept, which is 401 Unauthorized", async () => {
    const response = await fetch(`${cluster.url}/api/v1/namespaces`, { headers: { Authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ reason: "Unauthorized", message: "Unauthorized", code: 401 });
  });
});

describe("a Job whose name is longer than a label value may be", () => {
  it("is refused with 422 Invalid, because its pods' job-name label would hold the name", async () => {
    const name = "a".repeat(64);
    const response = await fetch(`${cluster.url}/apis/batch/v1/namespaces/default/jobs`, {
      method: "POST",
      headers: { ...admin(), "content-type": "application/json" },
      body: JSON.stringify(job(name)),
    });
    expect(response.status).toBe(422);
    const status = (await response.json()) as V1Status;
    expect(status.message).toBe(
      `Job.batch "${name}" is invalid: [metadata.labels: Invalid value: "${name}": must be no more than 63 characters, spec.template.labels: Invalid value: "${name}": must be no more than 63 characters]`,
    );
    expect(status.details).toMatchObject({ name, group: "batch", kind: "Job" });
    expect(status.details?.causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": must be no more than 63 characters`,
        field: "metadata.labels",
      },
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: "${name}": must be no more than 63 characters`,
        field: "spec.template.labels",
      },
    ]);
    const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    expect((await batch.listNamespacedJob({ namespace: "default" })).items).toEqual([]);
  });

  it("is refused only on the template when the Job has labels of its own; 63 characters are fine", async () => {
    const name = "b".repeat(64);
    const labelled = job(name);
    labelled.metadata = { name, labels: { app: "build" } };
    const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    await expect(batch.createNamespacedJob({ namespace: "default", body: labelled })).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining(
        `Job.batch \\"${name}\\" is invalid: spec.template.labels: Invalid value: \\"${name}\\": must be no more than 63 characters"`,
      ),
    });
    const created = await batch.createNamespacedJob({ namespace: "default", body: job("c".repeat(63)) });
    expect(created.spec?.template.metadata?.labels?.["job-name"]).toBe("c".repeat(63));
  });
});

describe("server-side apply without fieldManager", () => {
  it("is 422 Invalid PatchOptions, naming the fieldManager field", async () => {
    const response = await fetch(`${cluster.url}/api/v1/namespaces/default/configmaps/settings`, {
      method: "PATCH",
      headers: { ...admin(), "content-type": "application/apply-patch+yaml" },
      body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "1" } }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      reason: "Invalid",
      details: {
        group: "meta.k8s.io",
        kind: "PatchOptions",
        causes: [
          {
            reason: "FieldValueRequired",
            message: "Required value: is required for apply patch",
            field: "fieldManager",
          },
        ],
      },
      code: 422,
    });
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await expect(core.readNamespacedConfigMap({ namespace: "default", name: "settings" })).rejects.toMatchObject({
      code: 404,
    });
  });
});

describe("a watch from a resourceVersion older than the watch cache's window", () => {
  it("gets an in-band ERROR event with a 410 Expired Status, not a replay", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const first = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "cm-0" }, data: { n: "0" } },
    });
    const oldVersion = first.metadata?.resourceVersion as string;
    // Six more changes to configmaps push cm-0's version out of a five-change window.
    for (let n = 1; n <= 6; n++) {
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `cm-${n}` } } });
    }
    const events: { type: string; object: { code?: number; reason?: string; message?: string } }[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          "/api/v1/namespaces/default/configmaps",
          { resourceVersion: oldVersion },
          (type, object) => events.push({ type, object }),
          (error) => (error ? reject(error) : resolve()),
        )
        .catch(reject);
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("ERROR");
    expect(events[0]?.object).toMatchObject({ code: 410, reason: "Expired" });
    expect(events[0]?.object.message).toMatch(new RegExp(`^too old resource version: ${oldVersion} \\(\\d+\\)$`));
  });

  it("still resumes within the window, and other resources' changes do not use it up", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const first = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "kept" } } });
    for (let n = 0; n < 10; n++) {
      await core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: `s-${n}` } } });
    }
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "after" } } });
    const controller = new AbortController();
    const names = await new Promise<string[]>((resolve, reject) => {
      const seen: string[] = [];
      new Watch(cluster.kubeConfig)
        .watch(
          "/api/v1/namespaces/default/configmaps",
          { resourceVersion: first.metadata?.resourceVersion },
          (type, object) => {
            seen.push(`${type} ${object.metadata?.name ?? object.reason}`);
            if (seen.length === 1) resolve(seen);
          },
          (error) => (error ? reject(error) : resolve(seen)),
        )
        .then((request) => controller.signal.addEventListener("abort", () => request.abort()), reject);
    });
    controller.abort();
    expect(names).toEqual(["ADDED after"]);
  });
});

describe("background deletion with garbageCollectionDelayMs", () => {
  async function ownerAndDependent() {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const owner = await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "owner" } } });
    const ownerReferences = [
      { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid as string },
    ];
    await core.createNamespacedSecret({
      namespace: "default",
      body: { metadata: { name: "dependent", ownerReferences } },
    });
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "owner", propagationPolicy: "Background" });
    return core;
  }

  it("leaves a deleted owner's dependent in place after the delete returns, as a real collector does", async () => {
    await cluster.close();
    cluster = await startTestCluster({ http: true, garbageCollectionDelayMs: 60_000 });
    const core = await ownerAndDependent();
    const secret = await core.readNamespacedSecret({ namespace: "default", name: "dependent" });
    expect(secret.metadata?.name).toBe("dependent");
  });

  it("then deletes it", async () => {
    await cluster.close();
    cluster = await startTestCluster({ http: true, garbageCollectionDelayMs: 50 });
    const core = await ownerAndDependent();
    const list = await core.listNamespacedSecret({ namespace: "default" });
    const gone = await new Promise<string>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          "/api/v1/namespaces/default/secrets",
          { resourceVersion: list.metadata?.resourceVersion },
          (type, object) => type === "DELETED" && resolve(object.metadata?.name),
          (error) => error && reject(error),
        )
        .catch(reject);
    });
    expect(gone).toBe("dependent");
  });
});

describe("jobSuspend: false, a server before Kubernetes 1.22", () => {
  it("drops spec.suspend from the Job it stores and answers, so the Job starts at once", async () => {
    await cluster.close();
    cluster = await startTestCluster({ http: true, jobSuspend: false });
    const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    const suspended = job("starts-anyway");
    suspended.spec = { ...suspended.spec!, suspend: true };
    const created = await batch.createNamespacedJob({ namespace: "default", body: suspended });
    expect(created.spec?.suspend).toBeUndefined();
    const pod = await cluster.runtime.waitForPod({ jobName: "starts-anyway" });
    expect(pod.name).toMatch(/^starts-anyway-/);
  });
});
