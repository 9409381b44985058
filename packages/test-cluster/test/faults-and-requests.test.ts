// Fault injection and the request log, as the retry/resume tests of other packages use them.
import { PassThrough } from "node:stream";
import { ApiException, CoreV1Api, Log, Watch } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;

beforeEach(async () => {
  cluster = await startTestCluster({ http: true });
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
});
afterEach(() => cluster.close());

async function failure(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("fault injection", () => {
  it("answers the next matching requests with 429 and Retry-After, then normally", async () => {
    cluster.faults.failNext({
      status: 429,
      count: 2,
      match: { verb: "list", resource: "configmaps" },
      retryAfterSeconds: 3,
    });
    const first = await failure(core.listNamespacedConfigMap({ namespace: "default" }));
    expect(first.code).toBe(429);
    expect(first.headers["retry-after"]).toBe("3");
    expect(JSON.parse(first.body)).toMatchObject({
      kind: "Status",
      reason: "TooManyRequests",
      code: 429,
      details: { retryAfterSeconds: 3 },
    });
    await core.listNamespace(); // other requests are not affected
    expect((await failure(core.listNamespacedConfigMap({ namespace: "default" }))).code).toBe(429);
    await core.listNamespacedConfigMap({ namespace: "default" });
    expect(cluster.requests.list({ resource: "configmaps" }).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("replies 500 and 503 Status errors", async () => {
    cluster.faults.failNext({ status: 500 });
    expect(JSON.parse((await failure(core.listNamespace())).body)).toMatchObject({
      reason: "InternalError",
      code: 500,
    });
    cluster.faults.failNext({ status: 503 });
    expect(JSON.parse((await failure(core.listNamespace())).body)).toMatchObject({
      reason: "ServiceUnavailable",
      code: 503,
    });
  });

  it("cuts a watch after N events", async () => {
    for (const name of ["a", "b", "c"]) {
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name } } });
    }
    cluster.faults.cutWatch({ afterEvents: 2, match: { resource: "configmaps" } });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      new Watch(cluster.kubeConfig)
        .watch(
          "/api/v1/namespaces/default/configmaps",
          {},
          (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
          () => resolve(),
        )
        .catch(reject);
    });
    expect(seen).toEqual(["ADDED a", "ADDED b"]);
  });

  it("cuts a log stream after N bytes, mid-line", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } },
    });
    const pod = await cluster.runtime.waitForPod({ name: "p" });
    pod.start();
    pod.log(["hello", "world"]);
    cluster.faults.cutLogStream({ afterBytes: 8 });
    const out = new PassThrough();
    let text = "";
    out.on("data", (c: Buffer) => {
      text += c.toString();
    });
    const ended = new Promise<void>((resolve) => out.on("end", resolve));
    await new Log(cluster.kubeConfig).log("default", "p", "c", out, { follow: true });
    await ended;
    expect(text).toBe("hello\nwo");
  });

  it("delays matching requests", async () => {
    cluster.faults.addLatency({ ms: 50, match: { verb: "get", resource: "namespaces" }, count: 1 });
    const before = Date.now();
    await core.readNamespace({ name: "default" });
    expect(Date.now() - before).toBeGreaterThanOrEqual(45);
  });

  it("expires resourceVersions so list with resourceVersionMatch=Exact gets 410", async () => {
    const list = await core.listNamespace();
    await core.createNamespace({ body: { metadata: { name: "later" } } });
    cluster.faults.expireResourceVersions();
    const gone = await failure(
      core.listNamespace({ resourceVersion: list.metadata?.resourceVersion, resourceVersionMatch: "Exact" }),
    );
    expect(gone.code).toBe(410);
    expect(JSON.parse(gone.body)).toMatchObject({ reason: "Expired", code: 410 });
  });
});

describe("request log", () => {
  it("records method, path, query, status, verb, resource and user, with counters", async () => {
    await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=x" });
    await failure(core.readNamespacedPod({ name: "missing", namespace: "default" }));
    const [list, get] = cluster.requests.list({ resource: "pods" });
    expect(list).toMatchObject({
      method: "GET",
      path: "/api/v1/namespaces/default/pods",
      query: { labelSelector: "job-name=x" },
      status: 200,
      verb: "list",
      resource: "pods",
      namespace: "default",
      user: "test-admin",
    });
    expect(list?.timestamp).toBeInstanceOf(Date);
    expect(get).toMatchObject({ verb: "get", status: 404, name: "missing" });
    expect(cluster.requests.count({ verb: "list", resource: "pods" })).toBe(1);
    expect(cluster.requests.counters()).toMatchObject({ "list pods": 1, "get pods": 1 });
    cluster.requests.clear();
    expect(cluster.requests.count()).toBe(0);
  });

  it("answers 401 with a Status for a token it does not accept", async () => {
    const bad = cluster.kubeConfigFor("not-a-token").makeApiClient(CoreV1Api);
    expect((await failure(bad.listNamespace())).code).toBe(401);
    // client-node drops 401 bodies, so read this one directly.
    const response = await fetch(`${cluster.url}/api/v1/namespaces`, { headers: { Authorization: "Bearer nope" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    expect((await fetch(`${cluster.url}/version`)).status).toBe(200);
  });
});
