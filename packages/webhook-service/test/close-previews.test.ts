// A closed pull request leaves no preview behind: previews kept by earlier runs (deployed here with
// the real helm 4.1 against the test cluster, as `run --keep-preview` or the action's keep-preview
// leaves them) are deleted the way `pr-pod preview down` deletes one, and only that PR's: another
// PR's preview, and the same number in another repository, stay.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deletePreview, deployPreview } from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, signedDelivery } from "./deliveries.ts";
import { type LogEvents, SECRET, startService } from "./service-harness.ts";

const NS = "serve-previews";
const helmPath = join(process.env["PR_POD_KUBE_TOOLS"] ?? join(import.meta.dirname, "../../../.tools/bin"), "helm");
let cluster: TestCluster;
let service: WebhookService;
let logs: LogEvents;
let chart: string;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NS] });
  chart = mkdtempSync(join(tmpdir(), "pr-pod-close-previews-"));
  mkdirSync(join(chart, "templates"));
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: site\nversion: 0.1.0\n");
  writeFileSync(
    join(chart, "templates", "settings.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: '{{ .Release.Name }}-settings' }\ndata: { greeting: hello }\n",
  );
  ({ service, logs } = await startService({ kubeConfig: cluster.kubeConfig, namespace: NS }));
}, 60_000);
afterAll(async () => {
  await service?.close(1_000);
  await cluster?.close();
  if (chart) rmSync(chart, { recursive: true, force: true });
});

/** A preview kept for a day, as a run with keep-preview leaves it. */
async function keptPreview(repo: string, pr: number, namespace?: string): Promise<string> {
  const deployment = await deployPreview({
    kubeConfig: cluster.kubeConfig,
    helmPath,
    repo,
    pr,
    ...(namespace ? { namespace } : {}),
    expiresAt: new Date(Date.now() + 24 * 3_600_000),
    charts: [{ release: "site", chart, images: [], timeoutSeconds: 60 }],
  });
  deployment.credentials.dispose();
  return deployment.namespace;
}

describe("a closed pull request", () => {
  it("deletes the PR's kept previews, its custom-named one too, and leaves other PRs' previews alone", async () => {
    const closing = await keptPreview("octo/widgets", 41);
    const customNamed = await keptPreview("octo/widgets", 41, "widgets-review-41");
    const otherPr = await keptPreview("octo/widgets", 42);
    const otherRepo = await keptPreview("octo/gadgets", 41);
    expect([closing, customNamed, otherPr, otherRepo]).toEqual([
      "pr-41-widgets",
      "widgets-review-41",
      "pr-42-widgets",
      "pr-41-gadgets",
    ]);
    try {
      const closed = await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "closed", number: 41, repo: "octo/widgets" }),
      );
      expect((await post(service.url, closed)).status).toBe(202);
      const done = await logs.waitFor((l) => l.delivery === closed.id && l.msg === "closed: runs removed");
      expect([...(done["previews"] as string[])].sort()).toEqual(["pr-41-widgets", "widgets-review-41"]);
      expect(cluster.hasNamespace(closing)).toBe(false);
      expect(cluster.hasNamespace(customNamed)).toBe(false);
      expect(cluster.hasNamespace(otherPr)).toBe(true);
      expect(cluster.hasNamespace(otherRepo)).toBe(true);
    } finally {
      for (const namespace of [otherPr, otherRepo]) await deletePreview(cluster.kubeConfig, namespace);
    }
  });

  it("does not hold a close while a preview namespace is slow to go: the delete is sent, a warning names it", async () => {
    const slow = await startService({
      kubeConfig: cluster.kubeConfig,
      namespace: NS,
      instanceId: "replica-slow",
      previewDeleteWaitMs: 300,
    });
    const terminating = await keptPreview("octo/widgets", 44);
    // Nothing tells the service the namespace is gone: its watch never answers.
    cluster.faults.addLatency({ ms: 60_000, match: { resource: "namespaces", verb: "watch" } });
    try {
      const closed = await signedDelivery(
        SECRET,
        "pull_request",
        pullRequestPayload({ action: "closed", number: 44, repo: "octo/widgets" }),
      );
      expect((await post(slow.service.url, closed)).status).toBe(202);
      const warning = await slow.logs.waitFor((l) => l.delivery === closed.id && l.msg.includes("still being deleted"));
      expect(warning["terminating"]).toEqual([terminating]);
      const done = await slow.logs.waitFor((l) => l.delivery === closed.id && l.msg === "closed: runs removed");
      expect(done["previews"]).toEqual([terminating]);
      cluster.faults.clear();
      expect(cluster.hasNamespace(terminating)).toBe(false);
    } finally {
      cluster.faults.clear();
      await slow.service.close(1_000);
      await deletePreview(cluster.kubeConfig, terminating);
    }
  });

  it("still closes when no preview was ever deployed", async () => {
    const closed = await signedDelivery(
      SECRET,
      "pull_request",
      pullRequestPayload({ action: "closed", number: 43, repo: "octo/widgets" }),
    );
    expect((await post(service.url, closed)).status).toBe(202);
    const done = await logs.waitFor((l) => l.delivery === closed.id && l.msg === "closed: runs removed");
    expect(done["previews"]).toEqual([]);
  });
});
