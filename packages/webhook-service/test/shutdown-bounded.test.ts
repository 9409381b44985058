// A GitHub that never answers must not hold a shutdown past its grace: the PR statuses still in
// flight get what is left of it (at least 5 s), then the service logs what it left and closes.
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, shaFor, signedDelivery } from "./deliveries.ts";
import { type LogEvents, SECRET, startService } from "./service-harness.ts";

const NS = "shutdown-bounded";
let cluster: TestCluster;
let service: WebhookService;
let logs: LogEvents;
let pendingSent: () => void;
const pendingOnItsWay = new Promise<void>((resolve) => {
  pendingSent = resolve;
});

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => {
    pod.start();
    pod.log(["built"]);
    pod.exit(0);
  });
  ({ service, logs } = await startService({
    kubeConfig: cluster.kubeConfig,
    namespace: NS,
    // The pending status is never answered (a GitHub that hangs); the verdict is.
    feedback: () => ({
      start: () => {
        pendingSent();
        return new Promise<void>(() => {});
      },
      finish: async () => undefined,
    }),
  }));
});
afterAll(async () => {
  await cluster?.close();
});

it("closes after its grace although a PR status is still waiting for GitHub, and says so", async () => {
  const delivery = await signedDelivery(
    SECRET,
    "pull_request",
    pullRequestPayload({ action: "opened", number: 41, sha: shaFor("silent-github") }),
  );
  expect((await post(service.url, delivery)).status).toBe(202);
  await pendingOnItsWay;
  await logs.waitFor((line) => line.delivery === delivery.id && line.msg === "run finished");
  await service.close(1_000);
  expect(logs.lines.some((line) => String(line.msg).startsWith("shutdown: background work"))).toBe(true);
}, 60_000);
