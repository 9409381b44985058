// waitForJobResult given the Job its caller created: a Job deleted before the wait set up its watch
// (or replaced by another of the same name) ends the wait as JobDeleted instead of waiting forever
// for it to appear. Without the Job given, the watch cannot tell "not there yet" from "gone".
import { BatchV1Api, type V1Job } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForJobResult } from "../src/index.ts";

let cluster: TestCluster;
let batch: BatchV1Api;
beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["gone"], bookmarkIntervalMs: 200 });
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
});
afterAll(async () => {
  await cluster?.close();
});

const jobBody = (name: string): V1Job => ({
  metadata: { name },
  spec: {
    suspend: true,
    backoffLimit: 0,
    template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } },
  },
});

describe("waitForJobResult with the created Job", () => {
  it("ends as JobDeleted when the Job was deleted before the wait began", async () => {
    const job = await batch.createNamespacedJob({ namespace: "gone", body: jobBody("deleted-early") });
    await batch.deleteNamespacedJob({ namespace: "gone", name: "deleted-early", propagationPolicy: "Background" });
    const result = await waitForJobResult(cluster.kubeConfig, { namespace: "gone", jobName: "deleted-early", job });
    expect(result).toMatchObject({ status: "failed", reason: "JobDeleted" });
    expect(result.message).toContain("gone/deleted-early");
  });

  it("ends as JobDeleted when another Job of the same name took its place", async () => {
    const job = await batch.createNamespacedJob({ namespace: "gone", body: jobBody("replaced") });
    await batch.deleteNamespacedJob({ namespace: "gone", name: "replaced", propagationPolicy: "Background" });
    await batch.createNamespacedJob({ namespace: "gone", body: jobBody("replaced") });
    const result = await waitForJobResult(cluster.kubeConfig, { namespace: "gone", jobName: "replaced", job });
    expect(result).toMatchObject({ status: "failed", reason: "JobDeleted" });
  });

  it("ends as JobDeleted when the Job is deleted while it is waited for", async () => {
    const job = await batch.createNamespacedJob({ namespace: "gone", body: jobBody("deleted-later") });
    const waiting = waitForJobResult(cluster.kubeConfig, { namespace: "gone", jobName: "deleted-later", job });
    await batch.deleteNamespacedJob({ namespace: "gone", name: "deleted-later", propagationPolicy: "Background" });
    expect(await waiting).toMatchObject({ status: "failed", reason: "JobDeleted" });
  });
});
