// pr-pod serve --deploy-previews: a delivery for a PR whose repository's own pr-pod.config.yaml (at
// the head the pod built, on the real git server that demands the token) declares a preview gets it
// deployed with the real helm 4.1 into the test cluster after the build; kept, it carries its expiry
// for pr-pod cleanup and the PR's `closed` delivery removes it; not kept, the run tears it down. A
// repository without a config file deploys nothing, and one whose preview section is wrong fails the
// run naming the file.
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { PREVIEW_EXPIRES_ANNOTATION } from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeedbackOutcome, WebhookService } from "../src/index.ts";
import { post, pullRequestPayload, signedDelivery } from "./deliveries.ts";
import { type LogEvents, SECRET, startService, TEST_TOKEN } from "./service-harness.ts";

const NS = "serve-deploy";
const helmPath = join(process.env["PR_POD_KUBE_TOOLS"] ?? join(import.meta.dirname, "../../../.tools/bin"), "helm");
let cluster: TestCluster;
let git: TestGitServer;
let kept: { service: WebhookService; logs: LogEvents };
/** What the PR would be told at the end of each run (the feedback's final state), by PR number. */
const verdicts = new Map<number, FeedbackOutcome>();

const CHART = {
  "deploy/site/Chart.yaml": "apiVersion: v2\nname: site\nversion: 0.1.0\n",
  "deploy/site/templates/settings.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: '{{ .Release.Name }}-settings' }\ndata: { greeting: hello }\n",
};
const PREVIEW_CONFIG = {
  "pr-pod.config.yaml": "preview:\n  charts: [{ path: deploy/site, release: site }]\n  timeoutSeconds: 60\n",
};

beforeAll(async () => {
  git = await startTestGitServer({ token: TEST_TOKEN });
  cluster = await startTestCluster({ namespaces: [NS] });
  // The build pod succeeds at once (scripted runtime): what is under test is what follows it.
  cluster.runtime.onPod((pod) => {
    pod.start();
    pod.log(["cloned", "built"]);
    pod.exit(0);
  });
  kept = await startService({
    kubeConfig: cluster.kubeConfig,
    namespace: NS,
    previews: { helmPath, keep: true, ttlHours: 2 },
    feedback: (context) => ({
      start: async () => undefined,
      finish: async (outcome) => verdicts.set(context.number, outcome),
    }),
  });
}, 60_000);
afterAll(async () => {
  await kept?.service.close(1_000);
  await cluster?.close();
  await git?.close();
});

/** octo/<name>: main has a README, PR `pr` adds `files` on a feature branch. The delivery points at the git server. */
async function pullRequestDelivery(name: string, pr: number, files: Record<string, string>) {
  let headSha = "";
  await git.createRepo(`octo/${name}`, async (repo) => {
    await repo.commit({ "README.md": "# site\n" }, { message: "seed" });
    headSha = await repo.commit(files, { branch: "feature", from: "main", message: "the change" });
    await repo.pullRequest(pr, headSha);
  });
  const payload = pullRequestPayload({ action: "opened", number: pr, repo: `octo/${name}`, sha: headSha });
  const url = git.repoUrl(`octo/${name}`);
  // biome-ignore lint/suspicious/noExplicitAny: the clone URLs of GitHub's example payload, pointed at the git server
  const editable = payload as any;
  editable.repository.clone_url = url;
  editable.pull_request.base.repo.clone_url = url;
  editable.pull_request.head.repo.clone_url = url;
  return signedDelivery(SECRET, "pull_request", payload);
}

const core = () => cluster.kubeConfig.makeApiClient(CoreV1Api);
const namespaceOf = (name: string) =>
  core()
    .readNamespace({ name })
    .catch(() => undefined);

async function runFinished(logs: LogEvents, delivery: string) {
  return logs.waitFor((line) => line.delivery === delivery && line.msg === "run finished", 120_000);
}

describe("a service that deploys previews", () => {
  it("deploys the preview a PR's config file declares, keeps it with its expiry, and the close removes it", async () => {
    const opened = await pullRequestDelivery("site", 8, { ...CHART, ...PREVIEW_CONFIG });
    expect((await post(kept.service.url, opened)).status).toBe(202);
    const finished = await runFinished(kept.logs, opened.id);
    expect(finished.status, JSON.stringify(finished)).toBe("succeeded");

    const namespace = await namespaceOf("pr-8-site");
    expect(namespace?.metadata?.labels).toMatchObject({ "pr-pod.dev/component": "preview", "pr-pod.dev/pr": "8" });
    const expiresAt = Date.parse(namespace?.metadata?.annotations?.[PREVIEW_EXPIRES_ANNOTATION] ?? "");
    expect(expiresAt - Date.now()).toBeGreaterThan(1.5 * 3_600_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    const settings = await core().readNamespacedConfigMap({ namespace: "pr-8-site", name: "site-settings" });
    expect(settings.data).toEqual({ greeting: "hello" });

    const closed = await signedDelivery(
      SECRET,
      "pull_request",
      pullRequestPayload({ action: "closed", number: 8, repo: "octo/site" }),
    );
    expect((await post(kept.service.url, closed)).status).toBe(202);
    const done = await kept.logs.waitFor((l) => l.delivery === closed.id && l.msg === "closed: runs removed", 120_000);
    expect(done["previews"]).toEqual(["pr-8-site"]);
    expect(await namespaceOf("pr-8-site")).toBeUndefined();
  });

  it("deploys nothing for a repository without a config file", async () => {
    const opened = await pullRequestDelivery("plain", 9, { "feature.txt": "new\n" });
    expect((await post(kept.service.url, opened)).status).toBe(202);
    expect((await runFinished(kept.logs, opened.id)).status).toBe("succeeded");
    expect(await namespaceOf("pr-9-plain")).toBeUndefined();
  });

  it("fails the run, naming the file and the key, when the repository's preview section is wrong", async () => {
    const opened = await pullRequestDelivery("broken", 10, {
      "pr-pod.config.yaml": "preview:\n  charts: [{ release: site }]\n",
    });
    expect((await post(kept.service.url, opened)).status).toBe(202);
    const finished = await runFinished(kept.logs, opened.id);
    expect(finished.status).toBe("failed");
    expect(finished.reason).toBe("PreviewDeployFailed");
    const message = verdicts.get(10)?.message ?? "";
    expect(message).toMatch(
      /^the repository's preview section could not be read: .*octo\/broken@[0-9a-f]{12}\/pr-pod\.config\.yaml/,
    );
    expect(message).toContain("path");
    expect(await namespaceOf("pr-10-broken")).toBeUndefined();
  });

  it("without keep, tears the preview down at the end of the run", async () => {
    const unkept = await startService({
      kubeConfig: cluster.kubeConfig,
      namespace: NS,
      instanceId: "replica-unkept",
      previews: { helmPath },
    });
    try {
      const opened = await pullRequestDelivery("brief", 11, { ...CHART, ...PREVIEW_CONFIG });
      expect((await post(unkept.service.url, opened)).status).toBe(202);
      expect((await runFinished(unkept.logs, opened.id)).status).toBe("succeeded");
      // helm stored its release (a Secret) in the preview, and the run deleted the namespace after.
      expect(cluster.requests.count({ verb: "create", resource: "secrets", namespace: "pr-11-brief" })).toBeGreaterThan(
        0,
      );
      expect(cluster.requests.count({ verb: "delete", resource: "namespaces", name: "pr-11-brief" })).toBeGreaterThan(
        0,
      );
      expect(await namespaceOf("pr-11-brief")).toBeUndefined();
    } finally {
      await unkept.service.close(1_000);
    }
  });
});
