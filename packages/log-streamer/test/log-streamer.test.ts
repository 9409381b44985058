// followJobLogs and waitForJobResult against the test cluster's API server, with the scripted
// runtime driving the pod: real watches, real pods/log streams, injected cuts and 410s.
import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { redactor } from "@pr-pod/pat-secret";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followJobLogChunks, followJobLogs, type LogLine, waitForJobResult } from "../src/index.ts";

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let jobCounter = 0;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["logs"], bookmarkIntervalMs: 200 });
  kubeConfig = cluster.kubeConfig;
});
afterAll(async () => {
  await cluster?.close();
});

async function createJob(): Promise<string> {
  const name = `job-${++jobCounter}`;
  await kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({
    namespace: "logs",
    body: {
      metadata: { name },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
      },
    },
  });
  return name;
}

/** Resolves once `predicate` holds for the lines seen so far (checked on every new line). */
function lineWaiter(seen: LogLine[]) {
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    onLine(line: LogLine) {
      seen.push(line);
      for (const waiter of [...waiters]) {
        if (seen.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(count: number): Promise<void> {
      if (seen.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

describe("followJobLogs", () => {
  it("gives every line exactly once, in order, when the stream is cut 5 times mid-run", async () => {
    const jobName = await createJob();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    cluster.faults.cutLogStream({ afterLines: 7, count: 5, match: { resource: "pods/log", name: pod.name } });

    const seen: LogLine[] = [];
    const waiter = lineWaiter(seen);
    const collected = (async () => {
      const lines: LogLine[] = [];
      for await (const line of followJobLogs(kubeConfig, { namespace: "logs", jobName, onLine: waiter.onLine }))
        lines.push(line);
      return lines;
    })();

    // Lines arrive in bursts while the stream keeps being cut; many share a millisecond timestamp.
    const expected: string[] = [];
    for (let burst = 0; burst < 8; burst++) {
      const lines = Array.from({ length: 6 }, (_, i) => `burst ${burst} line ${i}`);
      lines.push("same text"); // equal content at an equal timestamp must still count twice
      lines.push("same text");
      pod.log(lines);
      expected.push(...lines);
      await waiter.until(expected.length);
    }
    pod.exit(0);
    const lines = await collected;

    expect(lines.map((l) => l.line)).toEqual(expected);
    // Five cut streams, then the one that saw the end (and one more after termination at most).
    expect(cluster.requests.count({ resource: "pods/log", name: pod.name })).toBeGreaterThanOrEqual(6);
  });

  it("joins a line the stream cut in half instead of giving both halves", async () => {
    const jobName = await createJob();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    pod.log(["first line", "a line that is cut in the middle", "last line"]);
    // 31 bytes of timestamp prefix + part of the second line.
    cluster.faults.cutLogStream({ afterBytes: 31 + 11 + 31 + 10, match: { resource: "pods/log", name: pod.name } });
    const seen: LogLine[] = [];
    const waiter = lineWaiter(seen);
    const done = (async () => {
      for await (const _ of followJobLogs(kubeConfig, { namespace: "logs", jobName, onLine: waiter.onLine })) {
        // collected through onLine
      }
    })();
    await waiter.until(3);
    pod.exit(0);
    await done;
    expect(seen.map((l) => l.line)).toEqual(["first line", "a line that is cut in the middle", "last line"]);
  });

  it("waits for the pod through a watch, redacts every line, and gives RFC3339 timestamps", async () => {
    const token = "ghp_testtesttesttesttesttesttesttest1234";
    const jobName = await createJob();
    const lines: LogLine[] = [];
    const done = (async () => {
      for await (const line of followJobLogs(kubeConfig, { namespace: "logs", jobName, redact: redactor(token) }))
        lines.push(line);
    })();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.succeed([`cloning with ${token}`, "done"]);
    await done;
    expect(lines.map((l) => l.line)).toEqual(["cloning with ***", "done"]);
    expect(lines[0]?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });

  it("gives multi-byte characters, CRLF lines and a line longer than a stream chunk whole, across a cut inside a character", async () => {
    const jobName = await createJob();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    const long = `long ${"0123456789".repeat(20_000)} end`; // 200 kB: several reads on the client
    const written = ["grüße 🚀 日本語", "windows line\r", long, "", "after"];
    pod.log(written);
    // Cut the first stream inside the 🚀 (4 bytes): 31 bytes of timestamp, then "grüße " is 8 bytes.
    cluster.faults.cutLogStream({ afterBytes: 31 + 8 + 2, match: { resource: "pods/log", name: pod.name } });
    const seen: LogLine[] = [];
    const waiter = lineWaiter(seen);
    const done = (async () => {
      for await (const _ of followJobLogs(kubeConfig, { namespace: "logs", jobName, onLine: waiter.onLine })) {
        // collected through onLine
      }
    })();
    await waiter.until(written.length);
    pod.exit(0);
    await done;
    expect(seen.map((l) => l.line)).toEqual(["grüße 🚀 日本語", "windows line", long, "", "after"]);
    // The cut stream and the one that resumed after it.
    const follows = cluster.requests.list({ resource: "pods/log", name: pod.name }).filter((r) => r.query["follow"]);
    expect(follows.length).toBeGreaterThanOrEqual(2);
  });

  it("followJobLogChunks gives the same log as bytes, whole lines without timestamps, redacted", async () => {
    const token = "ghp_chunkchunkchunkchunkchunkchunk5678";
    const jobName = await createJob();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ü ${i % 500 === 0 ? token : "-"}`);
    pod.log(lines.slice(0, 1500));
    cluster.faults.cutLogStream({ afterLines: 700, count: 2, match: { resource: "pods/log", name: pod.name } });
    const chunks: Buffer[] = [];
    let counted = 0;
    const done = (async () => {
      for await (const chunk of followJobLogChunks(kubeConfig, {
        namespace: "logs",
        jobName,
        redact: redactor(token),
      })) {
        chunks.push(chunk.bytes);
        counted += chunk.lines;
      }
    })();
    pod.log(lines.slice(1500));
    pod.exit(0);
    await done;
    const expected = lines.map((line) => `${line.replace(token, "***")}\n`).join("");
    expect(Buffer.concat(chunks).toString("utf8")).toBe(expected);
    expect(counted).toBe(lines.length);
    expect(chunks.length).toBeLessThan(lines.length / 10); // many lines to a chunk, not one each
  });

  it("reads on when a stream ended cleanly while the container ran and more lines came before it ended", async () => {
    const jobName = await createJob();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    // The first stream ends cleanly (as a proxy may) after 5 lines, while the container still runs;
    // the rest is written and the container exits at once, so the tail is not the last line given.
    cluster.faults.cutLogStream({ afterLines: 5, match: { resource: "pods/log", name: pod.name } });
    const written = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    pod.log(written.slice(0, 1));
    const seen: LogLine[] = [];
    const waiter = lineWaiter(seen);
    const done = (async () => {
      for await (const _ of followJobLogs(kubeConfig, { namespace: "logs", jobName, onLine: waiter.onLine })) {
        // collected through onLine
      }
    })();
    await waiter.until(1);
    pod.log(written.slice(1));
    pod.exit(0);
    await done;
    expect(seen.map((l) => l.line)).toEqual(written);
    const follows = cluster.requests.list({ resource: "pods/log", name: pod.name }).filter((r) => r.query["follow"]);
    expect(follows.length).toBeGreaterThanOrEqual(2);
  });

  it("ends with no lines for a finished Job whose pod is gone", async () => {
    const jobName = await createJob();
    const waiting = waitForJobResult(kubeConfig, { namespace: "logs", jobName });
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.succeed(["gone soon"]);
    await waiting;
    await kubeConfig
      .makeApiClient(CoreV1Api)
      .deleteNamespacedPod({ namespace: "logs", name: pod.name, gracePeriodSeconds: 0 });
    await expect
      .poll(
        async () =>
          (
            await kubeConfig
              .makeApiClient(CoreV1Api)
              .listNamespacedPod({ namespace: "logs", labelSelector: `job-name=${jobName}` })
          ).items.length,
      )
      .toBe(0);
    const lines: LogLine[] = [];
    for await (const line of followJobLogs(kubeConfig, { namespace: "logs", jobName })) lines.push(line);
    expect(lines).toEqual([]);
  });

  it("ends quietly when its signal aborts", async () => {
    const jobName = await createJob();
    const controller = new AbortController();
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.start();
    pod.log("one");
    const lines: string[] = [];
    for await (const line of followJobLogs(kubeConfig, { namespace: "logs", jobName, signal: controller.signal })) {
      lines.push(line.line);
      controller.abort();
    }
    expect(lines).toEqual(["one"]);
  });
});

describe("waitForJobResult", () => {
  it("says succeeded with the exit code and the termination message", async () => {
    const jobName = await createJob();
    const waiting = waitForJobResult(kubeConfig, { namespace: "logs", jobName });
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.succeed(["ok"], { message: '{"version":1}' });
    expect(await waiting).toMatchObject({
      status: "succeeded",
      reason: "Completed",
      exitCode: 0,
      terminationMessage: '{"version":1}',
      podName: pod.name,
    });
  });

  it("says failed with the Job's reason and the exit code", async () => {
    const jobName = await createJob();
    const waiting = waitForJobResult(kubeConfig, { namespace: "logs", jobName });
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.fail(14, ["missing files"]);
    expect(await waiting).toMatchObject({ status: "failed", reason: "BackoffLimitExceeded", exitCode: 14 });
  });

  it("fails on ErrImagePull as soon as the pod says so, before the Job has any condition", async () => {
    const jobName = await createJob();
    const pods: string[] = [];
    const waiting = waitForJobResult(kubeConfig, {
      namespace: "logs",
      jobName,
      onPod: (pod) => pods.push(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? "-"),
    });
    const pod = await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    pod.waiting("ErrImagePull", 'failed to pull image "nope:1": not found');
    const result = await waiting;
    expect(result).toMatchObject({
      status: "failed",
      reason: "ErrImagePull",
      message: 'failed to pull image "nope:1": not found',
    });
    expect(pods.at(-1)).toBe("ErrImagePull");
    const job = await kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ namespace: "logs", name: jobName });
    expect(job.status?.conditions ?? []).toEqual([]); // the verdict came from the pod, not the Job
  });

  it("fails on OOMKilled, and on a pod Unschedulable beyond its grace", async () => {
    const oomJob = await createJob();
    const oom = waitForJobResult(kubeConfig, { namespace: "logs", jobName: oomJob });
    (await cluster.runtime.waitForPod({ namespace: "logs", jobName: oomJob })).oomKill();
    expect(await oom).toMatchObject({ status: "failed", reason: "OOMKilled", exitCode: 137 });

    cluster.runtime.onPod((pod) => {
      if (pod.object.metadata?.labels?.["job-name"] === `job-${jobCounter}`)
        pod.unschedulable("0/1 nodes are available: 1 Insufficient cpu.");
    });
    const stuckJob = await createJob();
    const stuck = await waitForJobResult(kubeConfig, {
      namespace: "logs",
      jobName: stuckJob,
      unschedulableGraceMs: 50,
    });
    expect(stuck).toMatchObject({
      status: "failed",
      reason: "Unschedulable",
      message: "0/1 nodes are available: 1 Insufficient cpu.",
    });
  });

  it("still sees the completion when its watches are cut and resume into 410 Gone", async () => {
    // A cluster that keeps only 3 changes of history: a watch resumed from an older resourceVersion
    // gets 410 Gone (in-band, as an ERROR event), and must start over from a fresh list.
    const small = await startTestCluster({ watchHistory: 3, bookmarkIntervalMs: 60_000 });
    try {
      const batch = small.kubeConfig.makeApiClient(BatchV1Api);
      await batch.createNamespacedJob({
        namespace: "default",
        body: {
          metadata: { name: "gone" },
          spec: {
            backoffLimit: 0,
            template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
          },
        },
      });
      const pod = await small.runtime.waitForPod({ jobName: "gone" });
      pod.start();
      const core = small.kubeConfig.makeApiClient(CoreV1Api);
      for (let i = 0; i < 5; i++)
        await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `bump-${i}` } } });
      // Both first watches are cut after their first event; they resume from a resourceVersion that is gone.
      small.faults.cutWatch({ afterEvents: 1, count: 2, match: { verb: "watch" } });

      const waiting = waitForJobResult(small.kubeConfig, { namespace: "default", jobName: "gone" });
      await expect.poll(() => small.requests.count({ verb: "list" }), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      pod.exit(0, { message: "done" });
      expect(await waiting).toMatchObject({ status: "succeeded", reason: "Completed", terminationMessage: "done" });
      expect(small.requests.list({ verb: "watch" }).filter((r) => r.faulted === "cut watch")).toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  it("rejects with the signal's reason when aborted", async () => {
    const jobName = await createJob();
    const controller = new AbortController();
    const waiting = waitForJobResult(kubeConfig, { namespace: "logs", jobName, signal: controller.signal });
    await cluster.runtime.waitForPod({ namespace: "logs", jobName });
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
