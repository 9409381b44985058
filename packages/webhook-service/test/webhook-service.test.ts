// pr-pod serve against the test cluster (scripted pods) with GitHub-shaped, signed deliveries: what
// GitHub is answered, what starts in the cluster, and what is left when it is over.
import { CoreV1Api } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimName, LEDGER_LABELS, type WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, shaFor, signedDelivery } from "./deliveries.ts";
import { type LogEvents, runObjects, SECRET, startService, TEST_TOKEN } from "./service-harness.ts";

const NS = "serve";
let cluster: TestCluster;
let service: WebhookService;
let logs: LogEvents;
/** What the pod of each PR number does. Default: succeed at once. */
const pods = new Map<string, (pod: ScriptedPod) => void>();
let nextPr = 500;

function succeed(pod: ScriptedPod) {
  pod.start();
  pod.log(["cloned", "built"]);
  pod.exit(0);
}

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => (pods.get(pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "") ?? succeed)(pod));
  ({ service, logs } = await startService({ kubeConfig: cluster.kubeConfig, namespace: NS, maxQueued: 50 }));
});
afterAll(async () => {
  await service?.close(1_000);
  await cluster?.close();
});

async function jobCreates(): Promise<number> {
  return cluster.requests.count({ verb: "create", resource: "jobs", status: 201 });
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const nothingLeft = () => until(async () => (await runObjects(cluster.kubeConfig, NS)).length === 0, "cleanup");

describe("what GitHub is answered before anything starts", () => {
  it("refuses a delivery without or with a wrong signature (401) and creates nothing", async () => {
    const delivery = await signedDelivery(
      SECRET,
      "pull_request",
      pullRequestPayload({ action: "opened", number: ++nextPr }),
    );
    const before = cluster.requests.count({ verb: "create" });
    const unsigned = await post(service.url, {
      body: delivery.body,
      headers: { ...delivery.headers, "x-hub-signature-256": "" },
    });
    const wrong = await signedDelivery("another secret", "pull_request", JSON.parse(delivery.body));
    const forged = await post(service.url, wrong);
    const tampered = await post(service.url, { ...delivery, body: delivery.body.replace('"opened"', '"reopened"') });
    expect([unsigned.status, forged.status, tampered.status]).toEqual([401, 401, 401]);
    expect(forged.body.message).toMatch(/secret differs/);
    expect(cluster.requests.count({ verb: "create" })).toBe(before);
  });

  it("refuses a body over the limit with 413 before reading it all", async () => {
    const big = { zen: "x".repeat(6 * 1024 * 1024) };
    const delivery = await signedDelivery(SECRET, "ping", big);
    const answer = await post(service.url, delivery);
    expect(answer.status).toBe(413);
    expect(answer.body.outcome).toBe("too-large");
  });

  it("answers 400 to a signed body that is not JSON, 202 to events it does not handle, 200 to ping", async () => {
    const malformed = await signedDelivery(SECRET, "pull_request", {});
    const body = "{not json";
    const { Webhooks } = await import("@octokit/webhooks");
    const answer = await post(service.url, {
      body,
      headers: { ...malformed.headers, "x-hub-signature-256": await new Webhooks({ secret: SECRET }).sign(body) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/application\/json/);
    expect((await post(service.url, await signedDelivery(SECRET, "issues", { action: "opened" }))).status).toBe(202);
    expect((await post(service.url, await signedDelivery(SECRET, "ping", { zen: "hi" }))).status).toBe(200);
  });

  it("skips drafts and fork PRs without the ok-to-test label, and says why", async () => {
    const draft = await post(
      service.url,
      await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "opened", number: ++nextPr, draft: true }),
      ),
    );
    const fork = await post(
      service.url,
      await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "opened", number: ++nextPr, headRepo: "stranger/widgets" }),
      ),
    );
    expect(draft).toMatchObject({ status: 202, body: { outcome: "skipped" } });
    expect(draft.body.message).toMatch(/draft/);
    expect(fork.body.message).toMatch(/ok-to-test/);
  });
});

describe("runs", () => {
  it("starts one run per delivery, marks the Job with the delivery id, and never twice for a redelivery", async () => {
    const number = ++nextPr;
    const delivery = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number }));
    const creates = await jobCreates();
    const [first, concurrent] = await Promise.all([post(service.url, delivery), post(service.url, delivery)]);
    expect([first.status, concurrent.status].sort()).toEqual([200, 202]);
    const started = await logs.waitFor((l) => l.delivery === delivery.id && l.msg === "run started");
    const finished = await logs.waitFor((l) => l.delivery === delivery.id && l.msg === "run finished");
    expect(finished).toMatchObject({ status: "succeeded", run: started.run });
    await nothingLeft();

    // The Job is gone; the claim in the cluster still knows the delivery.
    const again = await post(service.url, delivery);
    expect(again).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect((await jobCreates()) - creates).toBe(1);
    const claim = await cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: NS, name: claimName(delivery.id) });
    expect(claim.metadata?.labels?.[LEDGER_LABELS.state]).toBe("done");
    expect(JSON.stringify(claim)).not.toContain(TEST_TOKEN);
    expect(JSON.stringify(logs.lines)).not.toContain(TEST_TOKEN);
  });

  it("supersedes a running run of the same PR started by another replica, and cleans it up", async () => {
    const other = await startService({ kubeConfig: cluster.kubeConfig, namespace: NS, instanceId: "replica-b" });
    try {
      const number = ++nextPr;
      const [oldSha, newSha] = [shaFor(`${number}-old`), shaFor(`${number}-new`)];
      pods.set(String(number), (pod) => {
        if (pod.object.metadata?.labels?.["pr-pod.dev/head-sha"] === oldSha)
          pod.start(); // runs until removed
        else succeed(pod);
      });
      const opened = await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "opened", number, sha: oldSha }),
      );
      expect((await post(other.service.url, opened)).status).toBe(202);
      const oldRun = await other.logs.waitFor((l) => l.delivery === opened.id && l.msg === "run started");
      await cluster.runtime.waitForPod({ namespace: NS, jobName: oldRun.run as string });

      const pushed = await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "synchronize", number, sha: newSha }),
      );
      expect((await post(service.url, pushed)).status).toBe(202);
      const newDone = await logs.waitFor((l) => l.delivery === pushed.id && l.msg === "run finished");
      expect(newDone.status).toBe("succeeded");
      const oldDone = await other.logs.waitFor((l) => l.delivery === opened.id && l.msg === "run finished");
      expect(oldDone.status).toBe("superseded");
      await nothingLeft();
    } finally {
      await other.service.close(1_000);
    }
  });

  it("closed aborts the PR's running run and removes all of it", async () => {
    const number = ++nextPr;
    pods.set(String(number), (pod) => pod.start());
    const opened = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number }));
    await post(service.url, opened);
    const started = await logs.waitFor((l) => l.delivery === opened.id && l.msg === "run started");
    await cluster.runtime.waitForPod({ namespace: NS, jobName: started.run as string });
    const closed = await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "closed", number }));
    expect((await post(service.url, closed)).status).toBe(202);
    await logs.waitFor((l) => l.delivery === closed.id && l.msg === "closed: runs removed");
    const ended = await logs.waitFor((l) => l.delivery === opened.id && l.msg === "run finished");
    expect(ended.status).toBe("aborted");
    await nothingLeft();
  });

  it("answers 503 with Retry-After when its queue is full", async () => {
    const small = await startService({
      kubeConfig: cluster.kubeConfig,
      namespace: NS,
      instanceId: "replica-small",
      maxRunning: 1,
      maxQueued: 1,
    });
    try {
      const numbers = [++nextPr, ++nextPr, ++nextPr];
      for (const n of numbers) pods.set(String(n), (pod) => pod.start());
      const answers = [];
      for (const number of numbers) {
        const started = Date.now();
        const answer = await post(
          small.service.url,
          await signedDelivery(SECRET, "pull_request", pullRequestPayload({ action: "opened", number })),
        );
        answers.push({
          status: answer.status,
          retryAfter: answer.headers.get("retry-after"),
          ms: Date.now() - started,
        });
        if (answers.length === 1) await small.logs.waitFor((l) => l.msg === "run started");
      }
      expect(answers.map((a) => a.status)).toEqual([202, 202, 503]);
      expect(answers[2]?.retryAfter).toBe("30");
      const metrics = await (await fetch(`${small.service.url}/metrics`)).text();
      expect(metrics).toMatch(/pr_pod_serve_deliveries_total\{event="pull_request",outcome="queue-full"\} 1/);
      expect(metrics).toMatch(/pr_pod_serve_queue_depth\{state="queued"\} 1/);
    } finally {
      // Shutdown aborts the running run (grace 0) and cleans it up; the waiting one stays claimed.
      await small.service.close(0);
    }
    await nothingLeft();
  });
});

describe("operations", () => {
  it("serves /healthz, /readyz and /metrics", async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/pr_pod_serve_runs_total\{status="succeeded"\} \d+/);
    expect(metrics).toMatch(/pr_pod_serve_run_duration_seconds_bucket/);
    expect(metrics).toMatch(/pr_pod_serve_deliveries_total\{event="pull_request",outcome="bad-signature"\} 3/);
  });

  it("ignores deliveries of an installation it does not serve", async () => {
    const strict = await startService({
      kubeConfig: cluster.kubeConfig,
      namespace: NS,
      instanceId: "replica-strict",
      installationIds: [7],
    });
    try {
      const creates = await jobCreates();
      const answer = await post(
        strict.service.url,
        await signedDelivery(
          SECRET,
          "pull_request",
          pullRequestPayload({ action: "opened", number: ++nextPr, installationId: 99 }),
        ),
      );
      expect(answer).toMatchObject({ status: 202, body: { outcome: "unknown-installation" } });
      expect(answer.body.message).toMatch(/installation 99/);
      expect(await jobCreates()).toBe(creates);
    } finally {
      await strict.service.close(0);
    }
  });
});
