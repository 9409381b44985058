// "cleaned up" must be true when it is said: on a cluster whose garbage collector takes its time, as a
// real one does (1-3 s for a Job's pod, Secret and ServiceAccount), the run and cleanupPrPods wait,
// bounded, until the Job and everything it owns are gone.
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupPrPods, type RunEvent, runPrPod } from "../src/index.ts";
import { finishLikeThePodScript, leftovers, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["slow-gc"], garbageCollectionDelayMs: 400 });
  cluster.runtime.onPod((pod: ScriptedPod) => {
    pod.start();
    finishLikeThePodScript(pod, ["built"]);
  });
});
afterAll(async () => {
  await cluster?.close();
});

const base = () => ({ kubeConfig: cluster.kubeConfig, namespace: "slow-gc", token: TEST_TOKEN, noConfigFile: true });

describe("cleanup on a cluster whose garbage collector takes its time", () => {
  it("says cleaned up only once the Job, its pod, Secret, ServiceAccount, Role and RoleBinding are gone", async () => {
    const run = runPrPod({ ...base(), pullRequest: offlinePullRequest() });
    let leftAtCleanedUp: string[] | undefined;
    const events: RunEvent[] = [];
    for await (const event of run) {
      events.push(event);
      // Looked at the moment the event arrives, before the garbage collector could catch up.
      if (event.type === "cleaned-up") leftAtCleanedUp = await leftovers(cluster.kubeConfig, "slow-gc");
    }
    expect((await run.result).status).toBe("succeeded");
    expect(events.filter((event) => event.type === "warning")).toEqual([]);
    expect(leftAtCleanedUp).toEqual([]);
  });

  it("returns from cleanupPrPods only once what it deleted is gone, pods included", async () => {
    const run = runPrPod({ ...base(), pullRequest: offlinePullRequest(), keep: true });
    for await (const _ of run);
    const result = await run.result;
    expect(result.status).toBe("succeeded");
    expect(await leftovers(cluster.kubeConfig, "slow-gc")).toContain(`Job/${result.jobName}`);

    const deleted = await cleanupPrPods({ kubeConfig: cluster.kubeConfig, namespace: "slow-gc" });
    expect(deleted.map((object) => object.kind).sort()).toEqual(
      ["Job", "Role", "RoleBinding", "Secret", "ServiceAccount"].sort(),
    );
    expect(await leftovers(cluster.kubeConfig, "slow-gc")).toEqual([]);
  });

  it("says what is left when the collector is slower than the bound, instead of cleaned up", async () => {
    // A collector that takes a minute, against a bound of a tenth of a second.
    const slow = await startTestCluster({ namespaces: ["slow-gc"], garbageCollectionDelayMs: 60_000 });
    try {
      slow.runtime.onPod((pod: ScriptedPod) => {
        pod.start();
        finishLikeThePodScript(pod, ["built"]);
      });
      const run = runPrPod({ ...base(), kubeConfig: slow.kubeConfig, pullRequest: offlinePullRequest(), keep: true });
      for await (const _ of run);
      const result = await run.result;
      await expect(
        cleanupPrPods({ kubeConfig: slow.kubeConfig, namespace: "slow-gc", waitMs: 100 }),
      ).rejects.toMatchObject({
        code: "TIMEOUT",
        message: expect.stringContaining(`Kubernetes is still removing Job/${result.jobName} and their pods`),
      });
    } finally {
      await slow.close();
    }
  });
});
