import { ApiException, BatchV1Api, CoreV1Api, type V1Pod, type V1Status } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let batch: BatchV1Api;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["work"] });
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
});
afterAll(() => cluster.close());

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: V1Status }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: JSON.parse(error.body as string) };
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("core resources over HTTPS with client-node", () => {
  it("lists the system namespaces and the one asked for", async () => {
    const list = await core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease", "work"]),
    );
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  it("creates, reads, replaces and deletes a secret, with uid, timestamps and increasing resourceVersions", async () => {
    const created = await core.createNamespacedSecret({
      namespace: "work",
      body: { metadata: { name: "token" }, stringData: { token: "s3cret" } },
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.data?.token).toBe(Buffer.from("s3cret").toString("base64"));
    expect(created.type).toBe("Opaque");
    const read = await core.readNamespacedSecret({ name: "token", namespace: "work" });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const replaced = await core.replaceNamespacedSecret({
      name: "token",
      namespace: "work",
      body: { ...read, data: { token: Buffer.from("other").toString("base64") } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));
    const stale = await apiError(core.replaceNamespacedSecret({ name: "token", namespace: "work", body: read }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on secrets "token": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "token", kind: "secrets" },
      code: 409,
    });
    const deleted = (await core.deleteNamespacedSecret({ name: "token", namespace: "work" })) as V1Status;
    expect(deleted).toMatchObject({ kind: "Status", status: "Success", details: { name: "token", kind: "secrets" } });
    const gone = await apiError(core.readNamespacedSecret({ name: "token", namespace: "work" }));
    expect(gone.code).toBe(404);
    expect(gone.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'secrets "token" not found',
      reason: "NotFound",
      details: { name: "token", kind: "secrets" },
      code: 404,
    });
  });

  it("answers AlreadyExists, Invalid names, missing namespaces and bad base64 as the API server does", async () => {
    await core.createNamespacedConfigMap({
      namespace: "work",
      body: { metadata: { name: "settings" }, data: { a: "1" } },
    });
    const again = await apiError(
      core.createNamespacedConfigMap({ namespace: "work", body: { metadata: { name: "settings" } } }),
    );
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({ reason: "AlreadyExists", message: 'configmaps "settings" already exists' });

    const badName = await apiError(
      core.createNamespacedConfigMap({ namespace: "work", body: { metadata: { name: "Bad_Name" } } }),
    );
    expect(badName.code).toBe(422);
    expect(badName.body.reason).toBe("Invalid");
    expect(badName.body.details?.kind).toBe("ConfigMap");
    expect(badName.body.details?.causes?.[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
    expect(badName.body.message).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );

    const longLabel = await apiError(
      core.createNamespacedConfigMap({
        namespace: "work",
        body: { metadata: { name: "labels", labels: { a: "x".repeat(64) } } },
      }),
    );
    expect(longLabel.code).toBe(422);
    expect(longLabel.body.message).toContain("must be no more than 63 characters");

    const badNs = await apiError(core.createNamespace({ body: { metadata: { name: "a.b" } } }));
    expect(badNs.body.message).toContain("a lowercase RFC 1123 label");

    const noNs = await apiError(
      core.createNamespacedConfigMap({ namespace: "nowhere", body: { metadata: { name: "x" } } }),
    );
    expect(noNs.code).toBe(404);
    expect(noNs.body).toMatchObject({
      reason: "NotFound",
      message: 'namespaces "nowhere" not found',
      details: { name: "nowhere", kind: "namespaces" },
    });

    const notBase64 = await apiError(
      core.createNamespacedSecret({
        namespace: "work",
        body: { metadata: { name: "bad" }, data: { token: "not base64!" } },
      }),
    );
    expect(notBase64.code).toBe(400);
    expect(notBase64.body.reason).toBe("BadRequest");
    expect(notBase64.body.message).toMatch(
      /^Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte \d+$/,
    );
  });

  it("filters lists by label and field selectors", async () => {
    for (const [name, tier] of [
      ["a", "web"],
      ["b", "db"],
      ["c", "web"],
    ]) {
      await core.createNamespacedConfigMap({
        namespace: "work",
        body: { metadata: { name: `sel-${name}`, labels: { tier: tier as string } } },
      });
    }
    const web = await core.listNamespacedConfigMap({ namespace: "work", labelSelector: "tier=web" });
    expect(web.items.map((c) => c.metadata?.name)).toEqual(["sel-a", "sel-c"]);
    const notWeb = await core.listNamespacedConfigMap({ namespace: "work", labelSelector: "tier,tier notin (web)" });
    expect(notWeb.items.map((c) => c.metadata?.name)).toEqual(["sel-b"]);
    const byName = await core.listNamespacedConfigMap({ namespace: "work", fieldSelector: "metadata.name=sel-b" });
    expect(byName.items.map((c) => c.metadata?.name)).toEqual(["sel-b"]);
    const page = await core.listNamespacedConfigMap({ namespace: "work", labelSelector: "tier", limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = await core.listNamespacedConfigMap({
      namespace: "work",
      labelSelector: "tier",
      limit: 2,
      _continue: page.metadata?._continue,
    });
    expect(rest.items.map((c) => c.metadata?.name)).toEqual(["sel-c"]);
  });

  it("patches with merge, strategic merge and JSON patch", async () => {
    await core.createNamespacedConfigMap({
      namespace: "work",
      body: { metadata: { name: "patched" }, data: { a: "1", b: "2" } },
    });
    const { setHeaderOptions, PatchStrategy } = await import("@kubernetes/client-node");
    const merged = await core.patchNamespacedConfigMap(
      { name: "patched", namespace: "work", body: { data: { a: null, c: "3" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ b: "2", c: "3" });
    const jsonPatched = await core.patchNamespacedConfigMap(
      { name: "patched", namespace: "work", body: [{ op: "replace", path: "/data/b", value: "two" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.data).toEqual({ b: "two", c: "3" });
    const strategic = await core.patchNamespacedConfigMap(
      { name: "patched", namespace: "work", body: { metadata: { labels: { x: "y" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.metadata?.labels).toEqual({ x: "y" });
  });

  it("creates a pod with defaults and refuses one whose service account is missing", async () => {
    const pod: V1Pod = { metadata: { name: "p1" }, spec: { containers: [{ name: "main", image: "busybox:1.36" }] } };
    const created = await core.createNamespacedPod({ namespace: "work", body: pod });
    expect(created.spec?.restartPolicy).toBe("Always");
    expect(created.spec?.serviceAccountName).toBe("default");
    expect(created.status?.phase).toBe("Pending");
    const noSa = await apiError(
      core.createNamespacedPod({
        namespace: "work",
        body: { ...pod, metadata: { name: "p2" }, spec: { ...pod.spec!, serviceAccountName: "ghost" } },
      }),
    );
    expect(noSa.code).toBe(403);
    expect(noSa.body.message).toBe(
      'pods "p2" is forbidden: error looking up service account work/ghost: serviceaccount "ghost" not found',
    );
  });

  it("validates jobs and fills their selector and pod labels", async () => {
    const bad = await apiError(
      batch.createNamespacedJob({
        namespace: "work",
        body: {
          metadata: { name: "bad-job" },
          spec: { template: { spec: { containers: [{ name: "m", image: "x" }] } } },
        },
      }),
    );
    expect(bad.code).toBe(422);
    expect(bad.body.details).toMatchObject({ name: "bad-job", group: "batch", kind: "Job" });
    expect(bad.body.message).toContain(
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
    const missing = await apiError(batch.readNamespacedJob({ name: "nope", namespace: "work" }));
    expect(missing.body).toMatchObject({
      message: 'jobs.batch "nope" not found',
      details: { name: "nope", group: "batch", kind: "jobs" },
    });
  });
});
