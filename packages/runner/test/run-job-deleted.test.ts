// A run whose Job is deleted from outside (another replica of `pr-pod serve` superseding it, a user's
// `kubectl delete job`, a namespace cleanup) ends at once with reason JobDeleted and removes the
// run's other objects, instead of waiting for a pod that will never finish.
import { BatchV1Api } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrPod } from "../src/index.ts";
import { collect, leftovers, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;
const podScripts = new Map<string, (pod: ScriptedPod) => void | Promise<void>>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["runs"], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => podScripts.get(pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "")?.(pod));
});
afterAll(async () => {
  await cluster?.close();
});

const base = () => ({ kubeConfig: cluster.kubeConfig, namespace: "runs", token: TEST_TOKEN, noConfigFile: true });

async function deleteJob(name: string, propagationPolicy = "Background"): Promise<void> {
  await cluster.kubeConfig
    .makeApiClient(BatchV1Api)
    .deleteNamespacedJob({ namespace: "runs", name, propagationPolicy });
}

describe("a run whose Job is deleted from outside", () => {
  it("ends with JobDeleted while its pod runs, and leaves nothing behind", async () => {
    const pullRequest = offlinePullRequest();
    let jobName = "";
    const podRunning = new Promise<void>((resolve) => {
      if (pullRequest.kind === "offline")
        podScripts.set(String(pullRequest.pr), (pod) => {
          jobName = pod.object.metadata?.labels?.["job-name"] ?? "";
          pod.start();
          pod.log(["working"]);
          resolve();
        });
    });
    const run = runPrPod({ ...base(), pullRequest });
    const events = collect(run);
    await podRunning;
    await deleteJob(jobName);
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "JobDeleted" });
    expect(result.message).toContain(jobName);
    await events;
    expect(await leftovers(cluster.kubeConfig, "runs")).toEqual([]);
  });

  it("ends with JobDeleted when the Job is deleted before its pod starts", async () => {
    const pullRequest = offlinePullRequest();
    const run = runPrPod({ ...base(), pullRequest });
    const events: Promise<void> = (async () => {
      for await (const event of run) {
        if (event.type === "created" && event.kind === "Job") await deleteJob(event.name);
      }
    })();
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "JobDeleted" });
    await events;
    expect(await leftovers(cluster.kubeConfig, "runs")).toEqual([]);
  });

  it("deletes its other objects itself when the Job was deleted with --cascade=orphan", async () => {
    const pullRequest = offlinePullRequest();
    const run = runPrPod({ ...base(), pullRequest });
    let jobName = "";
    const events: Promise<void> = (async () => {
      for await (const event of run) {
        if (event.type === "created" && event.kind === "Job") jobName = event.name;
        // Every object exists: the Job goes, and nothing takes what it owned.
        if (event.type === "created" && event.kind === "RoleBinding") await deleteJob(jobName, "Orphan");
      }
    })();
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "JobDeleted" });
    await events;
    // The token Secret, ServiceAccount, Role and RoleBinding are gone. A pod the Job had started stays:
    // --cascade=orphan asked for that, and a run may not delete pods.
    const left = await leftovers(cluster.kubeConfig, "runs");
    expect(left.filter((object) => !object.startsWith("Pod/"))).toEqual([]);
  });
});
