import { PassThrough } from "node:stream";
import { BatchV1Api, CoreV1Api, Log, type V1Job, type V1Pod, Watch } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;
let core: CoreV1Api;
let batch: BatchV1Api;

beforeEach(async () => {
  cluster = await startTestCluster();
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
});
afterEach(() => cluster.close());

function job(
  name: string,
  extra: Partial<V1Job["spec"]> = {},
  env: NonNullable<V1Pod["spec"]>["containers"][0]["env"] = [],
): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...extra,
      template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "docker:24-git", env }] } },
    },
  };
}

/** Polls until `check` returns a value (bounded), instead of sleeping. */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function jobCondition(name: string, type: string) {
  return eventually(async () => {
    const j = await batch.readNamespacedJob({ name, namespace: "default" });
    return j.status?.conditions?.find((c) => c.type === type && c.status === "True") ? j : undefined;
  }, `job ${name} condition ${type}`);
}

describe("jobs under the scripted runtime", () => {
  it("runs a job to Complete with its pod labelled and owned, and serves the pod's log", async () => {
    cluster.runtime.onPod((pod) => pod.succeed(["hello", "world"]));
    const created = await batch.createNamespacedJob({ namespace: "default", body: job("hello") });
    const done = await jobCondition("hello", "Complete");
    expect(done.status).toMatchObject({ succeeded: 1 });
    expect(done.status?.completionTime).toBeInstanceOf(Date);
    expect(done.status?.startTime).toBeInstanceOf(Date);
    expect(done.status?.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ["SuccessCriteriaMet", "CompletionsReached"],
      ["Complete", "CompletionsReached"],
    ]);
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=hello" });
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0] as V1Pod;
    expect(pod.metadata?.name).toMatch(/^hello-[a-z0-9]{5}$/);
    expect(pod.metadata?.labels).toMatchObject({
      "batch.kubernetes.io/job-name": "hello",
      "batch.kubernetes.io/controller-uid": created.metadata?.uid,
      "controller-uid": created.metadata?.uid,
    });
    expect(pod.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "batch/v1",
        kind: "Job",
        name: "hello",
        uid: created.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.status?.phase).toBe("Succeeded");
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    const log = await core.readNamespacedPodLog({ name: pod.metadata?.name as string, namespace: "default" });
    expect(log).toBe("hello\nworld\n");
    const stamped = await core.readNamespacedPodLog({
      name: pod.metadata?.name as string,
      namespace: "default",
      timestamps: true,
      tailLines: 1,
    });
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z world\n$/);
  });

  it("fails a job with BackoffLimitExceeded after backoffLimit retries", async () => {
    cluster.runtime.onPod((pod) => pod.fail(3, "boom"));
    await batch.createNamespacedJob({ namespace: "default", body: job("broken", { backoffLimit: 2 }) });
    const failed = await jobCondition("broken", "Failed");
    expect(failed.status?.failed).toBe(3);
    expect(failed.status?.conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ["FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ["Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ]);
    expect(cluster.runtime.pods({ jobName: "broken" })).toHaveLength(3);
  });

  it("fails a job that runs past activeDeadlineSeconds with DeadlineExceeded and stops its pod", async () => {
    cluster.runtime.onPod((pod) => pod.start());
    await batch.createNamespacedJob({ namespace: "default", body: job("slow", { activeDeadlineSeconds: 1 }) });
    const pod = await cluster.runtime.waitForPod({ jobName: "slow" });
    const failed = await jobCondition("slow", "Failed");
    expect(failed.status?.conditions?.at(-1)?.reason).toBe("DeadlineExceeded");
    await pod.stopped;
  });

  it("keeps a container in CreateContainerConfigError while its secret is missing, then starts it", async () => {
    const env = [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "gh-token", key: "token" } } }];
    await batch.createNamespacedJob({ namespace: "default", body: job("needs-secret", {}, env) });
    const scripted = await cluster.runtime.waitForPod({ jobName: "needs-secret" });
    const waiting = await eventually(async () => {
      const p = await core.readNamespacedPod({ name: scripted.name, namespace: "default" });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError" ? p : undefined;
    }, "CreateContainerConfigError");
    expect(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('secret "gh-token" not found');
    await core.createNamespacedSecret({
      namespace: "default",
      body: { metadata: { name: "gh-token" }, stringData: { other: "x" } },
    });
    await eventually(async () => {
      const p = await core.readNamespacedPod({ name: scripted.name, namespace: "default" });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.message ===
        "couldn't find key token in Secret default/gh-token"
        ? p
        : undefined;
    }, "missing key message");
    await core.patchNamespacedSecret(
      { name: "gh-token", namespace: "default", body: { stringData: { token: "t" } } },
      (await import("@kubernetes/client-node")).setHeaderOptions("Content-Type", "application/merge-patch+json"),
    );
    await eventually(async () => {
      const p = await core.readNamespacedPod({ name: scripted.name, namespace: "default" });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ContainerCreating" ? p : undefined;
    }, "ContainerCreating");
  });

  it("retries creating a job's pod until its service account exists, recording FailedCreate", async () => {
    const body = job("needs-sa");
    body.spec!.template.spec!.serviceAccountName = "builder";
    await batch.createNamespacedJob({ namespace: "default", body });
    const failed = await eventually(async () => {
      const events = await core.listNamespacedEvent({
        namespace: "default",
        fieldSelector: "involvedObject.name=needs-sa",
      });
      return events.items.find((e) => e.reason === "FailedCreate");
    }, "FailedCreate event");
    expect(failed.message).toBe(
      'Error creating: pods "needs-sa-" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found',
    );
    await core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "builder" } } });
    const pod = await cluster.runtime.waitForPod({ jobName: "needs-sa" });
    expect(pod.object.spec?.serviceAccountName).toBe("builder");
  });

  it("reports image pull errors, OOMKilled and termination messages the test scripts", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "img" },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "nope:1" }] },
      },
    });
    const pod = await cluster.runtime.waitForPod({ name: "img" });
    pod.waiting("ErrImagePull", 'failed to pull image "nope:1"');
    let read = await core.readNamespacedPod({ name: "img", namespace: "default" });
    expect(read.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: "ErrImagePull",
      message: 'failed to pull image "nope:1"',
    });
    pod.start();
    pod.exit(2, { message: "wrote a report" });
    read = await core.readNamespacedPod({ name: "img", namespace: "default" });
    expect(read.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 2,
      reason: "Error",
      message: "wrote a report",
    });
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "oom" },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "big:1" }] },
      },
    });
    const big = await cluster.runtime.waitForPod({ name: "oom" });
    big.start();
    big.oomKill();
    read = await core.readNamespacedPod({ name: "oom", namespace: "default" });
    expect(read.status?.phase).toBe("Failed");
    expect(read.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 137,
      reason: "OOMKilled",
    });
  });

  it("keeps a waiting reason an onPod script sets: the pod is scheduled and its container waits with it", async () => {
    cluster.runtime.onPod((pod) => pod.waiting("ErrImagePull", 'failed to pull image "nope:1"'));
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "early" },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "nope:1" }] },
      },
    });
    await cluster.runtime.waitForPod({ name: "early" });
    const read = await core.readNamespacedPod({ name: "early", namespace: "default" });
    expect(read.spec?.nodeName).toBe("test-node");
    expect(read.status?.conditions?.find((c) => c.type === "PodScheduled")?.status).toBe("True");
    expect(read.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: "ErrImagePull",
      message: 'failed to pull image "nope:1"',
    });
  });

  it("starts no pod while a job is suspended, and starts one when it is resumed", async () => {
    await batch.createNamespacedJob({ namespace: "default", body: job("paused", { suspend: true }) });
    const suspended = await jobCondition("paused", "Suspended");
    expect(suspended.status?.conditions?.[0]).toMatchObject({ reason: "JobSuspended", message: "Job suspended" });
    expect(cluster.runtime.pods({ jobName: "paused" })).toEqual([]);
    await batch.patchNamespacedJob(
      { name: "paused", namespace: "default", body: { spec: { suspend: false } } },
      (await import("@kubernetes/client-node")).setHeaderOptions("Content-Type", "application/merge-patch+json"),
    );
    await cluster.runtime.waitForPod({ jobName: "paused" });
    const resumed = await batch.readNamespacedJob({ name: "paused", namespace: "default" });
    expect(resumed.status?.conditions?.[0]).toMatchObject({ type: "Suspended", status: "False", reason: "JobResumed" });
  });

  it("fails a pod that outlives its own activeDeadlineSeconds with DeadlineExceeded", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "late" },
        spec: { activeDeadlineSeconds: 1, restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] },
      },
    });
    const pod = await cluster.runtime.waitForPod({ name: "late" });
    pod.start();
    await pod.stopped;
    const failed = await eventually(async () => {
      const p = await core.readNamespacedPod({ name: "late", namespace: "default" });
      return p.status?.phase === "Failed" ? p : undefined;
    }, "pod late to fail");
    expect(failed.status).toMatchObject({
      reason: "DeadlineExceeded",
      message: "Pod was active on the node longer than the specified deadline",
    });
    expect(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(137);
  });

  it("keeps a pod Pending and Unschedulable when the script says so", async () => {
    cluster.runtime.onPod((pod) => pod.unschedulable());
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "nowhere" }, spec: { containers: [{ name: "main", image: "busybox" }] } },
    });
    const pod = await eventually(async () => {
      const p = await core.readNamespacedPod({ name: "nowhere", namespace: "default" });
      return p.status?.conditions?.length ? p : undefined;
    }, "PodScheduled condition");
    expect(pod.status?.phase).toBe("Pending");
    expect(pod.status?.conditions?.[0]).toMatchObject({
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
    });
  });

  it("follows a log live until the container ends", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "talker" },
        spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] },
      },
    });
    const pod = await cluster.runtime.waitForPod({ name: "talker" });
    pod.start();
    pod.log("first");
    const out = new PassThrough();
    let text = "";
    const ended = new Promise<void>((resolve) => out.on("end", resolve));
    out.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text === "first\n") {
        pod.log("second");
        pod.exit(0);
      }
    });
    await new Log(cluster.kubeConfig).log("default", "talker", "main", out, { follow: true });
    await ended;
    expect(text).toBe("first\nsecond\n");
  });

  it("deletes a job's pods with Background propagation and keeps them (orphans) by default", async () => {
    cluster.runtime.onPod((pod) => pod.start());
    await batch.createNamespacedJob({ namespace: "default", body: job("bg") });
    await cluster.runtime.waitForPod({ jobName: "bg" });
    await batch.deleteNamespacedJob({ name: "bg", namespace: "default", propagationPolicy: "Background" });
    await eventually(async () => {
      const l = await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=bg" });
      return l.items.length === 0 ? true : undefined;
    }, "pods of bg gone");

    await batch.createNamespacedJob({ namespace: "default", body: job("orphaner") });
    const orphan = await cluster.runtime.waitForPod({ jobName: "orphaner" });
    await batch.deleteNamespacedJob({ name: "orphaner", namespace: "default" });
    await eventually(async () => {
      const p = await core.readNamespacedPod({ name: orphan.name, namespace: "default" });
      return p.metadata?.ownerReferences === undefined ? p : undefined;
    }, "orphaned pod");
  });

  it("watches from a resourceVersion and reports a too-old one as an in-band 410 ERROR", async () => {
    const start = await core.listNamespacedConfigMap({ namespace: "default" });
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w1" } } });
    const seen: string[] = [];
    const watch = new Watch(cluster.kubeConfig);
    await new Promise<void>((resolve, reject) => {
      watch
        .watch(
          "/api/v1/namespaces/default/configmaps",
          { resourceVersion: start.metadata?.resourceVersion },
          (type, obj) => {
            seen.push(`${type} ${obj.metadata?.name}`);
            if (seen.length === 2) resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then(() => core.deleteNamespacedConfigMap({ name: "w1", namespace: "default" }))
        .catch(reject);
    });
    expect(seen).toEqual(["ADDED w1", "DELETED w1"]);

    cluster.faults.expireResourceVersions();
    const errorEvent = await new Promise<{ type: string; obj: Record<string, unknown> }>((resolve, reject) => {
      watch
        .watch(
          "/api/v1/namespaces/default/configmaps",
          { resourceVersion: start.metadata?.resourceVersion },
          (type, obj) => resolve({ type, obj }),
          () => {},
        )
        .catch(reject);
    });
    expect(errorEvent.type).toBe("ERROR");
    expect(errorEvent.obj).toMatchObject({ kind: "Status", status: "Failure", reason: "Expired", code: 410 });
  });
});
