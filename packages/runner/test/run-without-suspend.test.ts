// On a server that drops spec.suspend (Kubernetes before 1.22) the Job starts at once and its first
// pod is refused (the ServiceAccount does not exist yet); the job controller would try again only
// after its backoff (10 s for real, 2 min here so a run that waits for it cannot pass). The run
// notices from the create answer, says so once, and nudges the Job once its objects exist.
import { CoreV1Api } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrPod } from "../src/index.ts";
import { collect, finishLikeThePodScript, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["old"], jobSuspend: false, podCreateRetryDelayMs: 120_000 });
  cluster.runtime.onPod((pod) => {
    pod.start();
    finishLikeThePodScript(pod, ["built"]);
  });
});
afterAll(async () => {
  await cluster?.close();
});

const base = () => ({ kubeConfig: cluster.kubeConfig, namespace: "old", token: TEST_TOKEN, noConfigFile: true });

describe("a server without spec.suspend", () => {
  it("still runs at once, and says why the Job started early once per server", async () => {
    const first = runPrPod({ ...base(), pullRequest: offlinePullRequest() });
    const firstEvents = await collect(first);
    expect((await first.result).status).toBe("succeeded");
    const warnings = firstEvents.flatMap((event) => (event.type === "warning" ? [event.message] : []));
    expect(warnings).toEqual([expect.stringContaining("ignored the Job's spec.suspend (Kubernetes before 1.22?)")]);
    // The pod was refused once (no ServiceAccount yet), then created after the nudge, not the backoff.
    const job = (await first.result).jobName;
    const events = await cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: "old", fieldSelector: `involvedObject.name=${job}` });
    expect(events.items.map((event) => event.reason)).toEqual(
      expect.arrayContaining(["FailedCreate", "SuccessfulCreate"]),
    );

    const second = runPrPod({ ...base(), pullRequest: offlinePullRequest() });
    const secondEvents = await collect(second);
    expect((await second.result).status).toBe("succeeded");
    expect(secondEvents.filter((event) => event.type === "warning")).toEqual([]);
  });
});
