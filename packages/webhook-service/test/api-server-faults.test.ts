// The API server stops answering for a while: deliveries are answered 503 + Retry-After at once
// (nothing half-made), the redelivery after it recovers starts the run, and a run caught mid-way
// resumes through the runner's retries and leaves nothing behind.
import { CoreV1Api } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, signedDelivery } from "./deliveries.ts";
import { type LogEvents, runObjects, SECRET, startService } from "./service-harness.ts";

const NS = "faults";
let cluster: TestCluster;
let service: WebhookService;
let logs: LogEvents;
const running = new Map<string, ScriptedPod>();
const seen = new Map<string, (pod: ScriptedPod) => void>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => {
    pod.start();
    const pr = pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "";
    running.set(pr, pod);
    seen.get(pr)?.(pod);
  });
  ({ service, logs } = await startService({ kubeConfig: cluster.kubeConfig, namespace: NS }));
});
afterAll(async () => {
  await service?.close(1_000);
  await cluster?.close();
});

function podOf(pr: number): Promise<ScriptedPod> {
  const pod = running.get(String(pr));
  return pod ? Promise.resolve(pod) : new Promise((resolve) => seen.set(String(pr), resolve));
}

it("answers 503 with Retry-After while the API server is down, and runs the redelivery once it is back", async () => {
  const delivery = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number: 81 }));
  cluster.faults.failNext({ status: 503, count: 1_000, match: { resource: "configmaps" } });
  const down = await post(service.url, delivery);
  expect(down.status).toBe(503);
  expect(down.headers.get("retry-after")).toBe("30");
  expect((await fetch(`${service.url}/readyz`)).status).toBe(503); // not ready while claims cannot be made
  cluster.faults.clear();

  const again = await post(service.url, delivery);
  expect(again.status).toBe(202);
  const pod = await podOf(81);
  pod.exit(0);
  const finished = await logs.waitFor((line) => line.delivery === delivery.id && line.msg === "run finished");
  expect(finished.status).toBe("succeeded");
});

it("a run caught by an outage mid-way goes on when the server is back, and leaves nothing", async () => {
  const delivery = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number: 82 }));
  expect((await post(service.url, delivery)).status).toBe(202);
  const pod = await podOf(82);
  // Every request fails for a while (the runner's retries back off and try again).
  cluster.faults.failNext({ status: 503, count: 8, retryAfterSeconds: 1 });
  pod.log(["still building"]);
  pod.exit(0);
  const finished = await logs.waitFor((line) => line.delivery === delivery.id && line.msg === "delivery done", 120_000);
  expect(["succeeded", "failed"]).toContain(finished.outcome);
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  for (;;) {
    const left = await runObjects(cluster.kubeConfig, NS);
    const secrets = await core.listNamespacedSecret({
      namespace: NS,
      labelSelector: "app.kubernetes.io/managed-by=pr-pod",
    });
    if (left.length === 0 && secrets.items.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 180_000);

it("answers 202 within its claim budget while the cluster is slow, runs the delivery once the claim lands, and never twice", async () => {
  const slow = await startService({
    kubeConfig: cluster.kubeConfig,
    namespace: NS,
    claimTimeoutMs: 200,
    instanceId: "slow",
  });
  try {
    const delivery = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number: 83 }));
    cluster.faults.addLatency({ ms: 3_000, count: 1, match: { verb: "create", resource: "configmaps" } });
    const answer = await post(slow.service.url, delivery);
    // Answered before the cluster confirmed the claim (the create is held 3 s, the budget is 200 ms).
    expect(answer.status).toBe(202);
    expect(answer.body.outcome).toBe("accepted-unconfirmed");
    const pod = await podOf(83);
    // The claim is in: GitHub's redelivery, to this replica or the other, is recognised.
    expect((await post(slow.service.url, delivery)).body.outcome).toBe("duplicate");
    expect((await post(service.url, delivery)).body.outcome).toBe("duplicate");
    pod.exit(0);
    const finished = await slow.logs.waitFor((line) => line.delivery === delivery.id && line.msg === "run finished");
    expect(finished.status).toBe("succeeded");
  } finally {
    await slow.service.close(1_000);
  }
});
