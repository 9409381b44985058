// The jobMetadata option: callers such as the webhook service mark a run's Job with their own labels
// and annotations (delivery id, instance) and find it again by them; pr-pod's own stay authoritative.
import { BatchV1Api } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanupPrPods, runPrPod } from "../src/index.ts";
import { finishLikeThePodScript, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["runs"] });
  cluster.runtime.onPod((pod) => {
    pod.start();
    finishLikeThePodScript(pod, ["ok"]);
  });
});
afterAll(async () => {
  await cluster?.close();
});

it("puts the caller's labels and annotations on the Job without overriding pr-pod's own", async () => {
  const run = runPrPod({
    kubeConfig: cluster.kubeConfig,
    namespace: "runs",
    token: TEST_TOKEN,
    noConfigFile: true,
    keep: true,
    pullRequest: offlinePullRequest({ pr: 4242 }),
    jobMetadata: {
      labels: { "pr-pod.dev/serve-instance": "replica-a", "app.kubernetes.io/managed-by": "someone-else" },
      annotations: { "pr-pod.dev/delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" },
    },
  });
  const result = await run.result;
  expect(result.status).toBe("succeeded");

  const jobs = await cluster.kubeConfig
    .makeApiClient(BatchV1Api)
    .listNamespacedJob({ namespace: "runs", labelSelector: "pr-pod.dev/serve-instance=replica-a" });
  expect(jobs.items.map((job) => job.metadata?.name)).toEqual([result.jobName]);
  const metadata = jobs.items[0]?.metadata;
  expect(metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("pr-pod");
  expect(metadata?.annotations?.["pr-pod.dev/delivery"]).toBe("72d3162e-cc78-11e3-81ab-4c9367dc0958");
  expect(metadata?.annotations?.["pr-pod.dev/head-ref"]).toBe("feature");
  await cleanupPrPods(cluster.kubeConfig, { namespace: "runs" });
});
