// The rest of the API surface: every resource's CRUD, server-side apply, dry-run, watch bookmarks,
// log options, status subresources, deletion propagation and TTL.
import { PassThrough } from "node:stream";
import {
  ApiException,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  Log,
  makeInformer,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type V1Status,
  Watch,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let batch: BatchV1Api;
let rbac: RbacAuthorizationV1Api;

beforeEach(async () => {
  cluster = await startTestCluster({ bookmarkIntervalMs: 20 });
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
  rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
});
afterEach(() => cluster.close());

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: V1Status }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: JSON.parse(error.body as string) };
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const ns = "default";

describe("every resource", () => {
  it("creates, reads, lists and deletes serviceaccounts, roles, rolebindings and events", async () => {
    expect((await core.readNamespacedServiceAccount({ name: "default", namespace: ns })).metadata?.name).toBe(
      "default",
    );
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: "runner" } } });
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: "runner" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: "runner" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "runner" },
        subjects: [{ kind: "ServiceAccount", name: "runner", namespace: ns }],
      },
    });
    await core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: "e1" },
        involvedObject: { kind: "Pod", name: "x", namespace: ns },
        reason: "Test",
        message: "m",
      },
    });
    expect((await rbac.readNamespacedRole({ name: "runner", namespace: ns })).rules?.[0]?.verbs).toEqual(["get"]);
    expect((await rbac.listNamespacedRoleBinding({ namespace: ns })).items).toHaveLength(1);
    expect(
      (await core.listNamespacedEvent({ namespace: ns, fieldSelector: "involvedObject.name=x" })).items,
    ).toHaveLength(1);
    await rbac.deleteNamespacedRoleBinding({ name: "runner", namespace: ns });
    await rbac.deleteNamespacedRole({ name: "runner", namespace: ns });
    await core.deleteNamespacedServiceAccount({ name: "runner", namespace: ns });
    const gone = await apiError(rbac.readNamespacedRole({ name: "runner", namespace: ns }));
    expect(gone.body).toMatchObject({ message: 'roles.rbac.authorization.k8s.io "runner" not found', code: 404 });
  });

  it("answers SelfSubjectAccessReviews from the token's permissions", async () => {
    const allowed = await cluster.kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: "create", resource: "pods", namespace: ns } } },
    });
    expect(allowed.status?.allowed).toBe(true);
    const limited = cluster.kubeConfigFor(cluster.tokens.limited).makeApiClient(AuthorizationV1Api);
    const denied = await limited.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: "get", resource: "secrets", namespace: ns } } },
    });
    expect(denied.status?.allowed).toBe(false);
  });

  it("deletes a namespace with everything in it", async () => {
    await core.createNamespace({ body: { metadata: { name: "doomed" } } });
    await core.createNamespacedConfigMap({ namespace: "doomed", body: { metadata: { name: "c" } } });
    const deleting = await core.deleteNamespace({ name: "doomed" });
    expect((deleting as { status?: { phase?: string } }).status?.phase).toBe("Terminating");
    await until(async () => {
      const list = await core.listNamespace({ fieldSelector: "metadata.name=doomed" });
      return list.items.length === 0 ? true : undefined;
    }, "namespace doomed to go");
  });
});

describe("writes", () => {
  it("applies server-side with field ownership: conflicts without force, wins with it", async () => {
    const apply = (manager: string, data: Record<string, string>, force = false) =>
      core.patchNamespacedConfigMap(
        {
          name: "applied",
          namespace: ns,
          fieldManager: manager,
          force,
          body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "applied" }, data },
        },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      );
    const created = await apply("alice", { a: "1", shared: "x" });
    expect(created.data).toEqual({ a: "1", shared: "x" });
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: "alice", operation: "Apply" });
    const clash = await apiError(apply("bob", { shared: "y" }));
    expect(clash.code).toBe(409);
    expect(clash.body.reason).toBe("Conflict");
    expect(clash.body.message).toContain('conflict with "alice"');
    const forced = await apply("bob", { shared: "y" }, true);
    expect(forced.data).toEqual({ a: "1", shared: "y" });
    const dropped = await apply("alice", { a: "1" });
    expect(dropped.data).toEqual({ a: "1", shared: "y" });
    const removed = await apply("alice", { b: "2" });
    expect(removed.data).toEqual({ b: "2", shared: "y" });
  });

  it("validates but stores nothing with dryRun=All", async () => {
    const dry = await core.createNamespacedConfigMap({
      namespace: ns,
      dryRun: "All",
      body: { metadata: { name: "dry" } },
    });
    expect(dry.metadata?.uid).toBeDefined();
    expect((await apiError(core.readNamespacedConfigMap({ name: "dry", namespace: ns }))).code).toBe(404);
  });

  it("keeps status out of main-resource writes and spec out of status writes, bumping generation on spec changes", async () => {
    const pod = await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "s" }, spec: { containers: [{ name: "c", image: "a:1" }] } },
    });
    expect(pod.metadata?.generation).toBe(1);
    await cluster.runtime.waitForPod({ name: "s" });
    const current = await core.readNamespacedPod({ name: "s", namespace: ns });
    const updated = await core.replaceNamespacedPod({
      name: "s",
      namespace: ns,
      body: {
        ...current,
        spec: { ...pod.spec!, containers: [{ ...pod.spec!.containers[0]!, image: "a:2" }] },
        status: { phase: "Succeeded" },
      },
    });
    expect(updated.metadata?.generation).toBe(2);
    expect(updated.status?.phase).not.toBe("Succeeded");
    const forbidden = await apiError(
      core.replaceNamespacedPod({
        name: "s",
        namespace: ns,
        body: { ...updated, spec: { ...updated.spec!, restartPolicy: "Never" } },
      }),
    );
    expect(forbidden.code, JSON.stringify(forbidden.body)).toBe(422);
    expect(forbidden.body.message).toContain("spec: Forbidden: pod updates may not change fields");
  });
});

describe("watch", () => {
  it("sends initial events, the initial-events-end bookmark, then periodic bookmarks", async () => {
    const seen: { type: string; obj: { metadata: { name?: string; annotations?: Record<string, string> } } }[] = [];
    let stop: { abort(): void } | undefined;
    await new Promise<void>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          "/api/v1/namespaces",
          { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" },
          (type, obj) => {
            seen.push({ type, obj });
            if (seen.filter((e) => e.type === "BOOKMARK").length === 2) resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then((controller) => {
          stop = controller;
        }, reject);
    });
    stop?.abort();
    expect(seen.slice(0, 4).map((e) => `${e.type} ${e.obj.metadata.name}`)).toEqual([
      "ADDED default",
      "ADDED kube-node-lease",
      "ADDED kube-public",
      "ADDED kube-system",
    ]);
    expect(seen[4]?.type).toBe("BOOKMARK");
    expect(seen[4]?.obj.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(seen[5]?.type).toBe("BOOKMARK");
  });
});

describe("informers", () => {
  it("feed a client-node informer: list, then watch from the list's resourceVersion", async () => {
    const informer = makeInformer(cluster.kubeConfig, `/api/v1/namespaces/${ns}/configmaps`, () =>
      core.listNamespacedConfigMap({ namespace: ns }),
    );
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "before" } } });
    const added: string[] = [];
    const sawAfter = new Promise<void>((resolve) =>
      informer.on("add", (obj) => {
        added.push(obj.metadata?.name ?? "");
        if (obj.metadata?.name === "after") resolve();
      }),
    );
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "after" } } });
    await sawAfter;
    await informer.stop();
    expect(added).toEqual(["before", "after"]);
  });
});

describe("watch with selectors", () => {
  it("reports an object that starts or stops matching a field selector as ADDED or DELETED", async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "phase" }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "x" }] } },
    });
    const pod = await cluster.runtime.waitForPod({ name: "phase" });
    const seen: string[] = [];
    let abort: { abort(): void } | undefined;
    const done = new Promise<void>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          `/api/v1/namespaces/${ns}/pods`,
          { fieldSelector: "status.phase=Running" },
          (type, obj) => {
            seen.push(`${type} ${obj.status.phase}`);
            if (type === "DELETED") resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then((c) => {
          abort = c;
        }, reject);
    });
    while (cluster.requests.count({ verb: "watch", resource: "pods" }) === 0) await new Promise((r) => setImmediate(r));
    pod.start();
    pod.exit(0);
    await done;
    abort?.abort();
    expect(seen).toEqual(["ADDED Running", "DELETED Succeeded"]);
  });
});

describe("pods/log options", () => {
  it("serves tailLines, limitBytes, sinceTime, previous and container errors as the kubelet does", async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "l" },
        spec: {
          restartPolicy: "OnFailure",
          containers: [
            { name: "a", image: "x" },
            { name: "b", image: "x" },
          ],
        },
      },
    });
    const pod = await cluster.runtime.waitForPod({ name: "l" });
    const tooEarly = await apiError(core.readNamespacedPodLog({ name: "l", namespace: ns, container: "a" }));
    expect(tooEarly.body).toMatchObject({
      code: 400,
      message: 'container "a" in pod "l" is waiting to start: ContainerCreating',
    });
    const which = await apiError(core.readNamespacedPodLog({ name: "l", namespace: ns }));
    expect(which.body.message).toBe("a container name must be specified for pod l, choose one of: [a b]");

    pod.start({ container: "a" });
    pod.log(["1", "2", "3"], { container: "a", time: new Date("2026-01-01T00:00:00Z") });
    pod.log(["4"], { container: "a", time: new Date("2026-01-01T00:00:10Z") });
    const read = (options: object) =>
      core.readNamespacedPodLog({ name: "l", namespace: ns, container: "a", ...options });
    expect(await read({ tailLines: 2 })).toBe("3\n4\n");
    expect(await read({ limitBytes: 3 })).toBe("1\n2");
    // client-node's readNamespacedPodLog has no sinceTime; its Log helper does.
    const since = new PassThrough();
    let sinceText = "";
    since.on("data", (c: Buffer) => {
      sinceText += c.toString();
    });
    const sinceEnded = new Promise<void>((resolve) => since.on("end", resolve));
    await new Log(cluster.kubeConfig).log(ns, "l", "a", since, { sinceTime: "2026-01-01T00:00:05Z" });
    await sinceEnded;
    expect(sinceText).toBe("4\n");
    expect(await read({ timestamps: true, tailLines: 1 })).toBe("2026-01-01T00:00:10.000000000Z 4\n");
    expect((await apiError(read({ previous: true }))).body.message).toBe(
      'previous terminated container "a" in pod "l" not found',
    );
    pod.exit(1, { container: "a" });
    pod.start({ container: "a" });
    pod.log("after restart", { container: "a" });
    expect(await read({ previous: true })).toBe("1\n2\n3\n4\n");
    expect(await read({})).toBe("after restart\n");
    const status = await core.readNamespacedPod({ name: "l", namespace: ns });
    expect(status.status?.containerStatuses?.find((c) => c.name === "a")?.restartCount).toBe(1);
  });

  it("ends a followed stream when the pod is deleted", async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "f" }, spec: { containers: [{ name: "c", image: "x" }] } },
    });
    const pod = await cluster.runtime.waitForPod({ name: "f" });
    pod.start();
    pod.log("up");
    const out = new PassThrough();
    let text = "";
    const ended = new Promise<void>((resolve) => out.on("end", resolve));
    out.on("data", (c: Buffer) => {
      text += c.toString();
      if (text === "up\n") void core.deleteNamespacedPod({ name: "f", namespace: ns });
    });
    await new Log(cluster.kubeConfig).log(ns, "f", "c", out, { follow: true });
    await ended;
    await pod.stopped;
    expect(text).toBe("up\n");
  });
});

describe("deletion and TTL", () => {
  const job = (name: string, extra: object = {}) => ({
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...extra,
      template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "x" }] } },
    },
  });

  it("keeps a job with Foreground propagation until its pods are gone", async () => {
    cluster.runtime.onPod((pod) => pod.start());
    await batch.createNamespacedJob({ namespace: ns, body: job("fg") });
    const pod = await cluster.runtime.waitForPod({ jobName: "fg" });
    const before = await batch.listNamespacedJob({ namespace: ns });
    await batch.deleteNamespacedJob({ name: "fg", namespace: ns, propagationPolicy: "Foreground" });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          `/apis/batch/v1/namespaces/${ns}/jobs`,
          { resourceVersion: before.metadata?.resourceVersion },
          (type, obj) => {
            events.push(`${type} ${obj.metadata.finalizers ?? []}`);
            if (type === "DELETED") resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .catch(reject);
    });
    expect(events[0]).toBe("MODIFIED foregroundDeletion");
    expect(events.at(-1)).toBe("DELETED ");
    await pod.stopped;
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: "job-name=fg" })).items).toEqual([]);
  });

  it("deletes a finished job after ttlSecondsAfterFinished", async () => {
    cluster.runtime.onPod((pod) => pod.succeed());
    await batch.createNamespacedJob({ namespace: ns, body: job("ttl", { ttlSecondsAfterFinished: 0 }) });
    await until(async () => {
      const jobs = await batch.listNamespacedJob({ namespace: ns, fieldSelector: "metadata.name=ttl" });
      return jobs.items.length === 0 ? true : undefined;
    }, "job ttl to be deleted");
  });
});
