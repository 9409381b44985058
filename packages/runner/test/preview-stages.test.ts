// deploy → test → teardown after a build, with the real helm 4.1 against the test cluster: a
// preview that deploys and passes leaves nothing behind; a kept one carries its expiry; a failed
// deploy skips the tests and still tears down; a failing test is the run's verdict.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PreviewConfig,
  type PreviewStageEvent,
  type RunEvent,
  runPrPod,
  validatePreviewConfig,
} from "../src/index.ts";
import { runPreviewStages } from "../src/preview-stages.ts";
import { collect, finishLikeThePodScript, offlinePullRequest, successReport, TEST_TOKEN } from "./run-helpers.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let cluster: TestCluster;
let checkout: string;
/** The image of every pod the preview's charts made, in order. */
const deployedImages: string[] = [];
/** PR 43's pod pushes an image, as the real pod script reports a build with a registry. */
const PUSHED = {
  image: "registry.local/octo/shop/shop:pr-43-0123456",
  tag: "pr-43-0123456",
  digest: `sha256:${"a".repeat(64)}`,
};

beforeAll(async () => {
  cluster = await startTestCluster();
  checkout = mkdtempSync(join(tmpdir(), "preview-stages-"));
  const chart = join(checkout, "charts", "shop");
  mkdirSync(join(chart, "templates"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: shop\nversion: 0.1.0\n");
  writeFileSync(join(chart, "values.yaml"), "image:\n  repository: nginx\n  tag: latest\n");
  writeFileSync(
    join(chart, "templates", "web.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }}-web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}" }] }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }}-web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
  );
  cluster.runtime.onPod((pod) => {
    if (pod.object.metadata?.labels?.["pr-pod.dev/pr"]) {
      // The run's own pod: a build that passes, as the real pod script reports it.
      const report = successReport();
      if (pod.object.metadata.labels["pr-pod.dev/pr"] === "43") {
        report.builds = [
          { kind: "dockerfile", file: "Dockerfile", context: ".", ok: true, durationMs: 5, pushed: true, ...PUSHED },
        ];
      }
      setImmediate(() => {
        pod.start();
        finishLikeThePodScript(pod, ["building"], report);
      });
      return;
    }
    const image: string = pod.object.spec?.containers?.[0]?.image ?? "";
    if (!pod.name.startsWith("pr-pod-test-")) deployedImages.push(image);
    if (image.endsWith(":missing")) return pod.waiting("ImagePullBackOff", `Back-off pulling image "${image}"`);
    if (pod.name.startsWith("pr-pod-test-")) {
      if (pod.object.spec?.containers?.[0]?.command?.includes("hang")) return void setImmediate(() => pod.start());
      const failing = pod.object.spec?.containers?.[0]?.command?.includes("fail");
      setImmediate(() => (failing ? pod.fail(1, ["smoke: GET / -> 500"]) : pod.succeed(["smoke: GET / -> 200"])));
      return;
    }
    pod.start({ ready: true });
  });
});
afterAll(async () => {
  await cluster?.close();
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});

const config = (tag: string, testCommand = ["pass"]): PreviewConfig =>
  validatePreviewConfig(
    {
      charts: [{ path: "charts/shop" }],
      images: [{ source: "web", repository: "registry.local/shop", tag }],
      tests: [{ name: "smoke", image: "busybox:1.36", command: testCommand }],
      timeoutSeconds: 120,
    },
    "pr-pod.config.yaml: preview",
  );

const run = (pr: number, previewConfig: PreviewConfig, extra: { keep?: boolean; signal?: AbortSignal } = {}) => {
  const events: PreviewStageEvent[] = [];
  const result = runPreviewStages({
    kubeConfig: cluster.kubeConfig,
    helmPath,
    repo: "octo/shop",
    pr,
    config: previewConfig,
    checkoutDir: checkout,
    onEvent: (event) => events.push(event),
    now: () => new Date("2026-12-03T12:00:00Z"),
    ...extra,
  });
  return { result, events };
};

describe("runPreviewStages", () => {
  it("deploys, tests and tears down, each stage with its status and duration, leaving nothing behind", async () => {
    const { result, events } = run(21, config("sha-1"));
    const done = await result;
    expect(done.status).toBe("succeeded");
    expect(done.namespace).toBe("pr-21-shop");
    expect(done.stages.map((s) => [s.stage, s.status])).toEqual([
      ["deploy", "succeeded"],
      ["test", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    expect(done.stages.every((s) => s.durationMs >= 0)).toBe(true);
    expect(done.tests?.results.map((r) => [r.name, r.status])).toEqual([
      ["helm test shop", "none"],
      ["smoke", "passed"],
    ]);
    expect(events).toContainEqual({ type: "preview-line", source: "smoke", line: "smoke: GET / -> 200" });
    expect(cluster.hasNamespace("pr-21-shop")).toBe(false);
  });

  it("keeps the preview with an expiry when asked, and a re-run upgrades it in place", async () => {
    const first = await run(22, config("sha-1"), { keep: true }).result;
    expect(first.stages[2]).toMatchObject({ stage: "teardown", status: "skipped" });
    expect(first.expiresAt).toBe("2026-12-04T12:00:00.000Z");
    const ns = await cluster.kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: "pr-22-shop" });
    expect(ns.metadata?.annotations?.["pr-pod.dev/expires-at"]).toBe("2026-12-04T12:00:00.000Z");
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({ name: "shop-web", namespace: "pr-22-shop" });
    const second = await run(22, config("sha-2"), { keep: true }).result;
    expect(second.status).toBe("succeeded");
    const after = await apps.readNamespacedDeployment({ name: "shop-web", namespace: "pr-22-shop" });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe("registry.local/shop:sha-2");
  });

  it("skips the tests when the deploy fails, says why, and still tears down", async () => {
    const done = await run(23, config("missing")).result;
    expect(done.status).toBe("deploy-failed");
    expect(done.stages.map((s) => [s.stage, s.status])).toEqual([
      ["deploy", "failed"],
      ["test", "skipped"],
      ["teardown", "succeeded"],
    ]);
    expect(done.diagnoses?.[0]).toMatchObject({ workload: "deployment/shop-web", reason: "ImagePullBackOff" });
    expect(done.stages[0]?.message).toContain("ImagePullBackOff");
    expect(cluster.hasNamespace("pr-23-shop")).toBe(false);
  });

  it("a run stopped while its tests run still deletes its preview, then rejects with the reason", async () => {
    const stop = new AbortController();
    const { result, events } = run(25, config("sha-1", ["hang"]), { signal: stop.signal });
    const waitForTests = setInterval(() => {
      if (events.some((e) => e.type === "stage-started" && e.stage === "test")) stop.abort(new Error("superseded"));
    }, 20);
    await expect(result).rejects.toThrow();
    clearInterval(waitForTests);
    const finished = events.flatMap((e) => (e.type === "stage-finished" ? [[e.result.stage, e.result.status]] : []));
    expect(finished).toEqual([
      ["deploy", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    const teardown = events.find((e) => e.type === "stage-finished" && e.result.stage === "teardown");
    expect(teardown).toMatchObject({ result: { message: "the run stopped early: superseded" } });
    expect(cluster.hasNamespace("pr-25-shop")).toBe(false);
  });

  it("a kept preview stays when its run is stopped", async () => {
    const stop = new AbortController();
    const { result, events } = run(26, config("sha-1", ["hang"]), { signal: stop.signal, keep: true });
    const waitForTests = setInterval(() => {
      if (events.some((e) => e.type === "stage-started" && e.stage === "test")) stop.abort(new Error("superseded"));
    }, 20);
    await expect(result).rejects.toThrow();
    clearInterval(waitForTests);
    expect(events.some((e) => e.type === "stage-started" && e.stage === "teardown")).toBe(false);
    expect(cluster.hasNamespace("pr-26-shop")).toBe(true);
  });

  it("waits for a preview namespace still being deleted, then deploys into a new one", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "pr-27-shop", finalizers: ["example.com/hold"] } } });
    await core.deleteNamespace({ name: "pr-27-shop" });
    const { result, events } = run(27, config("sha-1"));
    const waiting = await new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        const line = events.find((e) => e.type === "preview-line" && /is being deleted/.test(e.line));
        if (line?.type === "preview-line") {
          clearInterval(poll);
          resolve(line.line);
        }
      }, 20);
    });
    expect(waiting).toMatch(/^namespace pr-27-shop is being deleted \(since .*\): waiting until it is gone$/);
    expect(events.some((e) => e.type === "stage-finished")).toBe(false);
    await core.patchNamespace(
      { name: "pr-27-shop", body: [{ op: "remove", path: "/metadata/finalizers/0" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    const done = await result;
    expect(done.status).toBe("succeeded");
    expect(cluster.hasNamespace("pr-27-shop")).toBe(false);
  });

  it("fails with the failing test named when a test Job fails", async () => {
    const done = await run(24, config("sha-1", ["fail"])).result;
    expect(done.status).toBe("tests-failed");
    expect(done.stages[1]).toMatchObject({ stage: "test", status: "failed", message: "failed: smoke" });
    expect(cluster.hasNamespace("pr-24-shop")).toBe(false);
  });
});

describe("runPrPod with a preview section in the config file", () => {
  const configWith = (tag: string) => {
    const file = join(checkout, `pr-pod.config.${tag}.yaml`);
    writeFileSync(
      file,
      `preview:
  charts: [{ path: charts/shop }]
  images: [{ source: web, repository: registry.local/shop, tag: ${tag} }]
  tests: [{ name: smoke, image: "busybox:1.36", command: [pass] }]
  timeoutSeconds: 120
`,
    );
    return file;
  };
  const runWithPreview = (tag: string, pr: number) =>
    runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "default",
      token: TEST_TOKEN,
      pullRequest: offlinePullRequest({ repo: "octo/shop", pr }),
      configFile: configWith(tag),
      preview: { checkoutDir: checkout, helmPath },
    });
  const previewEvents = (events: RunEvent[]) =>
    events.flatMap((e) =>
      e.type === "preview" && e.event.type === "stage-finished" ? [[e.event.result.stage, e.event.result.status]] : [],
    );

  it("deploys and tests after the build passes, and reports the stages in its events and result", async () => {
    const run = runWithPreview("sha-1", 41);
    const events = await collect(run);
    const result = await run.result;
    expect(result.status).toBe("succeeded");
    expect(result.preview?.stages.map((s) => [s.stage, s.status])).toEqual([
      ["deploy", "succeeded"],
      ["test", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    expect(previewEvents(events)).toEqual([
      ["deploy", "succeeded"],
      ["test", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    expect(events.findIndex((e) => e.type === "preview")).toBeLessThan(events.findIndex((e) => e.type === "finished"));
    expect(cluster.hasNamespace("pr-41-shop")).toBe(false);
  });

  it("deploys the image this run pushed, not the config's, when the build pushed one", async () => {
    const file = join(checkout, "pr-pod.config.pushed.yaml");
    writeFileSync(file, "preview:\n  charts: [{ path: charts/shop }]\n  timeoutSeconds: 120\n");
    deployedImages.length = 0;
    const run = runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "default",
      token: TEST_TOKEN,
      pullRequest: offlinePullRequest({ repo: "octo/shop", pr: 43 }),
      configFile: file,
      preview: { checkoutDir: checkout, helmPath },
    });
    await collect(run);
    const result = await run.result;
    expect(result.status).toBe("succeeded");
    expect(result.images?.map((image) => image.image)).toEqual([PUSHED.image]);
    // tag@digest: the preview runs exactly what was pushed, even if the tag moves.
    expect(deployedImages).toContain(`${PUSHED.image}@${PUSHED.digest}`);
    expect(deployedImages).not.toContain("nginx:latest");
  });

  it("fails the run with PreviewDeployFailed and the reason when the preview cannot become ready", async () => {
    const run = runWithPreview("missing", 42);
    await collect(run);
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "PreviewDeployFailed" });
    expect(result.message).toContain("ImagePullBackOff");
    expect(cluster.hasNamespace("pr-42-shop")).toBe(false);
  });
});

describe("validatePreviewConfig", () => {
  it("names the key that is wrong and what it should be", () => {
    const where = "pr-pod.config.yaml: preview";
    expect(() => validatePreviewConfig({ charts: [] }, where)).toThrow(
      "pr-pod.config.yaml: preview.charts must list at least one chart",
    );
    expect(() => validatePreviewConfig({ charts: [{ path: "c", relase: "x" }] }, where)).toThrow(
      'pr-pod.config.yaml: preview.charts[0] has an unknown key "relase": the keys are path, release, valuesFiles, set, images',
    );
    expect(() => validatePreviewConfig({ charts: [{ path: "c" }], tests: [{ name: "t", image: "i" }] }, where)).toThrow(
      "pr-pod.config.yaml: preview.tests[0].command is required",
    );
    expect(() => validatePreviewConfig({ charts: [{ path: "c" }], timeoutSeconds: -1 }, where)).toThrow(
      "pr-pod.config.yaml: preview.timeoutSeconds must be a whole number above 0, got -1",
    );
  });
});
