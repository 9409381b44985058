// `pr-pod preview logs` against the test cluster: the logs of every container of a preview's pods
// through log-streamer, prefixed when there are several; one container with --container; --follow
// streams until the containers end; clear errors for a preview that does not exist, a namespace that
// is not a preview, and a container no pod has.
import { CoreV1Api } from "@kubernetes/client-node";
import { applyPreviewObjects, buildPreviewNamespaceObjects } from "@pr-pod/preview-deploy";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let cluster: TestCluster;
let flags: string[];
const scripted = new Map<string, ScriptedPod>();

const pod = (namespace: string, name: string, containers: string[]) =>
  cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { app: name } },
      // A Job's pod: an ended container stays ended (a Deployment's would restart and be followed on).
      spec: { restartPolicy: "Never", containers: containers.map((c) => ({ name: c, image: "busybox:1.36" })) },
    },
  });

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["plain"] });
  flags = ["--kubeconfig", cluster.kubeconfigPath];
  cluster.runtime.onPod((p) => {
    scripted.set(`${p.namespace}/${p.name}`, p);
    if (p.name === "web") {
      p.start({ container: "web" });
      p.log(["listening on :8080", "GET / 200"], { container: "web" });
      p.start({ container: "proxy" });
      p.log(["proxy up"], { container: "proxy" });
    } else if (p.name === "live") {
      p.start();
      p.log("first line");
    } else if (p.name === "site") {
      p.start();
      p.log("hello from review");
    }
  });
  await applyPreviewObjects(
    cluster.kubeConfig,
    buildPreviewNamespaceObjects({ repo: "octo/app", pr: 5, namespace: "pr-5-app" }),
  );
  await applyPreviewObjects(
    cluster.kubeConfig,
    buildPreviewNamespaceObjects({ repo: "octo/app", pr: 6, namespace: "pr-6-app" }),
  );
  await pod("pr-5-app", "web", ["web", "proxy"]);
  await pod("pr-6-app", "live", ["live"]);
  // Both pods' logs are there before any test reads them.
  await cluster.runtime.waitForPod({ namespace: "pr-5-app", name: "web" });
  await cluster.runtime.waitForPod({ namespace: "pr-6-app", name: "live" });
});
afterAll(async () => {
  await cluster?.close();
});

describe("pr-pod preview logs", () => {
  it("finds the PR's preview by its labels with --repo --pr, a custom namespace too, and asks which of several", async () => {
    for (const namespace of ["review-app-7", "review-app-8", "second-app-8"]) {
      const pr = Number(namespace.slice(-1));
      await applyPreviewObjects(cluster.kubeConfig, buildPreviewNamespaceObjects({ repo: "octo/app", pr, namespace }));
    }
    await pod("review-app-7", "site", ["site"]);
    await cluster.runtime.waitForPod({ namespace: "review-app-7", name: "site" });
    const one = await runCli(["preview", "logs", "--repo", "octo/app", "--pr", "7", ...flags]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe("hello from review\n");
    const several = await runCli(["preview", "logs", "--repo", "octo/app", "--pr", "8", ...flags]);
    expect(several.code).toBe(64);
    expect(several.stderr).toContain("octo/app#8 has 2 previews: ");
    expect(several.stderr).toContain("review-app-8");
  });

  it("prints every container of the preview's pods, each line prefixed with pod/container", async () => {
    const { code, stdout, stderr } = await runCli(["preview", "logs", "--repo", "octo/app", "--pr", "5", ...flags]);
    expect(code, stderr).toBe(0);
    expect(stdout.split("\n").filter(Boolean)).toEqual([
      "[web/web] listening on :8080",
      "[web/web] GET / 200",
      "[web/proxy] proxy up",
    ]);
  });

  it("reads one container with --container, unprefixed, and as JSON with -o json", async () => {
    const text = await runCli(["preview", "logs", "pr-5-app", "--container", "proxy", ...flags]);
    expect(text.stdout).toBe("proxy up\n");
    const json = await runCli(["preview", "logs", "pr-5-app", "-c", "web", "--tail", "1", "-o", "json", ...flags]);
    const document = JSON.parse(json.stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({
      kind: "PreviewLogs",
      namespace: "pr-5-app",
      lines: [{ pod: "web", container: "web", line: "GET / 200", timestamp: expect.any(String) }],
    });
  });

  it("with --follow streams new lines until the container ends", async () => {
    const started = startCli(["preview", "logs", "pr-6-app", "--follow", ...flags]);
    await new Promise<void>((resolve, reject) => {
      const check = () => started.output().stdout.includes("first line") && resolve();
      started.child.stdout?.on("data", check);
      started.child.once("close", () => reject(new Error(started.output().stderr)));
      check();
    });
    const live = scripted.get("pr-6-app/live");
    live?.log("second line");
    live?.exit(0);
    const { code, stdout } = await started.done;
    expect(code).toBe(0);
    expect(stdout).toBe("first line\nsecond line\n");
  });

  it("says there is no such preview, and how to find one (exit 65)", async () => {
    const { code, stderr } = await runCli(["preview", "logs", "--repo", "octo/app", "--pr", "99", ...flags]);
    expect(stderr).toContain("there is no preview pr-99-app");
    expect(stderr).toContain("pr-pod preview list shows the previews");
    expect(code).toBe(65);
  });

  it("refuses a namespace that is not a preview, a container no pod has, and a bad --since", async () => {
    const plain = await runCli(["preview", "logs", "plain", ...flags]);
    expect(plain.stderr).toContain("namespace plain is not a pr-pod preview");
    expect(plain.code).toBe(65);
    const container = await runCli(["preview", "logs", "pr-5-app", "--container", "db", ...flags]);
    expect(container.stderr).toContain("no pod in preview pr-5-app has a container named db");
    expect(container.stderr).toContain("web, proxy");
    expect(container.code).toBe(64);
    const since = await runCli(["preview", "logs", "pr-5-app", "--since", "yesterday", ...flags]);
    expect(since.stderr).toContain('--since "yesterday" is not a duration');
    expect(since.code).toBe(64);
    const none = await runCli(["preview", "logs", ...flags]);
    expect(none.stderr).toContain("pr-pod preview logs needs the preview to read");
    expect(none.code).toBe(64);
  });
});
