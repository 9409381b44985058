// Every accepted pull request gets a status: pending when the delivery is accepted, the verdict when
// its run ends, and a final state too when a newer push supersedes it (never a pending left behind).
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { githubFeedback, type WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, shaFor, signedDelivery } from "./deliveries.ts";
import { type LogEvents, SECRET, startService, TEST_TOKEN } from "./service-harness.ts";

const NS = "feedback";
let cluster: TestCluster;
let github: TestGitHubServer;
let service: WebhookService;
let logs: LogEvents;
const hanging = new Set<string>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod: ScriptedPod) => {
    pod.start();
    if (hanging.has(pod.object.metadata?.labels?.["pr-pod.dev/head-sha"] ?? "")) return;
    pod.log(["built"]);
    pod.exit(0);
  });
  github = await startTestGitHubServer();
  github.addRepository("octo/widgets");
  github.addToken(TEST_TOKEN, { kind: "pat" });
  ({ service, logs } = await startService({
    kubeConfig: cluster.kubeConfig,
    namespace: NS,
    feedback: githubFeedback({
      token: TEST_TOKEN,
      settings: { apiUrl: github.url, checkRun: "never", minWriteIntervalMs: 0, retryAfterBaseMs: 10 },
    }),
  }));
});
afterAll(async () => {
  await service?.close(1_000);
  await cluster?.close();
  await github?.close();
});

it("reports pending on acceptance and success when the run succeeds", async () => {
  const sha = shaFor("feedback-1");
  const delivery = await signedDelivery(
    SECRET,
    "pull_request",
    pullRequestPayload({ action: "opened", number: 31, sha }),
  );
  expect((await post(service.url, delivery)).status).toBe(202);
  await logs.waitFor((line) => line.delivery === delivery.id && line.msg === "delivery done");
  expect(github.statuses("octo/widgets", sha).map((status) => status.state)).toEqual(["pending", "success"]);
});

it("gives a superseded run's commit a final state, and the new commit its own", async () => {
  const [oldSha, newSha] = [shaFor("feedback-old"), shaFor("feedback-new")];
  hanging.add(oldSha);
  const opened = await signedDelivery(
    SECRET,
    "pull_request",
    pullRequestPayload({ action: "opened", number: 32, sha: oldSha }),
  );
  await post(service.url, opened);
  const started = await logs.waitFor((line) => line.delivery === opened.id && line.msg === "run started");
  await cluster.runtime.waitForPod({ namespace: NS, jobName: started.run as string });
  const pushed = await signedDelivery(
    SECRET,
    "pull_request",
    pullRequestPayload({ action: "synchronize", number: 32, sha: newSha }),
  );
  await post(service.url, pushed);
  await logs.waitFor((line) => line.delivery === opened.id && line.msg === "delivery done");
  await logs.waitFor((line) => line.delivery === pushed.id && line.msg === "delivery done");
  const old = github.statuses("octo/widgets", oldSha).map((status) => status.state);
  expect(old[0]).toBe("pending");
  expect(old.at(-1)).not.toBe("pending");
  expect(github.statuses("octo/widgets", newSha).map((status) => status.state)).toEqual(["pending", "success"]);
  expect(JSON.stringify(github.calls)).not.toContain(TEST_TOKEN);
});
