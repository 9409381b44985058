// `pr-pod preview list|down|expire` against the test cluster: previews are the namespaces
// preview-deploy labels, deleted one by name or by PR, or all those whose keep time has passed.
import { CoreV1Api } from "@kubernetes/client-node";
import { applyPreviewObjects, buildPreviewNamespaceObjects } from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let cluster: TestCluster;
let flags: string[];

const preview = (pr: number, expiresAt?: Date) =>
  applyPreviewObjects(
    cluster.kubeConfig,
    buildPreviewNamespaceObjects({
      repo: "octo/app",
      pr,
      namespace: `pr-${pr}-app`,
      ...(expiresAt ? { expiresAt } : {}),
    }),
  );

beforeAll(async () => {
  cluster = await startTestCluster();
  flags = ["--kubeconfig", cluster.kubeconfigPath];
  await preview(1, new Date(Date.now() - 60_000));
  await preview(2, new Date(Date.now() + 3_600_000));
  await preview(3);
});
afterAll(async () => {
  await cluster?.close();
});

const exists = (name: string) =>
  cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespace({ name })
    .then(
      () => true,
      () => false,
    );

describe("pr-pod preview", () => {
  it("lists the previews with their PR and keep time", async () => {
    const { code, stdout } = await runCli(["preview", "list", ...flags, "-o", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document.kind).toBe("PreviewList");
    expect(document.items.map((p: { namespace: string; pr: number }) => [p.namespace, p.pr])).toEqual([
      ["pr-1-app", 1],
      ["pr-2-app", 2],
      ["pr-3-app", 3],
    ]);
  });

  it("deletes the kept previews whose keep time has passed, and only those", async () => {
    const { code, stdout } = await runCli(["preview", "expire", ...flags]);
    expect(code).toBe(0);
    expect(stdout).toContain("deleted preview pr-1-app");
    expect(await exists("pr-1-app")).toBe(false);
    expect(await exists("pr-2-app")).toBe(true);
  });

  it("is honoured by pr-pod cleanup too: an expired kept preview goes, a kept one stays", async () => {
    await preview(4, new Date(Date.now() - 60_000));
    const { code, stdout } = await runCli(["cleanup", "--all", "-o", "json", ...flags]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.expiredPreviews).toEqual(["pr-4-app"]);
    expect(await exists("pr-4-app")).toBe(false);
    expect(await exists("pr-2-app")).toBe(true);
  });

  it("deletes one preview by --repo and --pr, and says what it needs without either", async () => {
    const { code, stdout } = await runCli(["preview", "down", "--repo", "octo/app", "--pr", "3", ...flags]);
    expect(code).toBe(0);
    expect(stdout).toContain("deleted preview pr-3-app");
    expect(await exists("pr-3-app")).toBe(false);
    const usage = await runCli(["preview", "down", ...flags]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain("pr-pod preview down needs the preview to delete");
  });
});
