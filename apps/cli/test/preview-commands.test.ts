// `pr-pod preview list|down|expire` against the test cluster: previews are the namespaces
// preview-deploy labels, deleted one by name or every one of a PR (found by its labels, whatever the
// namespace is called), or all those whose keep time has passed. Each -o json document is checked
// against schema/output.schema.json.
import { CoreV1Api } from "@kubernetes/client-node";
import { applyPreviewObjects, buildPreviewNamespaceObjects } from "@pr-pod/preview-deploy";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let cluster: TestCluster;
let flags: string[];

const preview = (pr: number, expiresAt?: Date, namespace = `pr-${pr}-app`, repo = "octo/app") =>
  applyPreviewObjects(
    cluster.kubeConfig,
    buildPreviewNamespaceObjects({
      repo,
      pr,
      namespace,
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

describe("pr-pod preview", () => {
  it("lists the previews with their PR and keep time", async () => {
    const { code, stdout } = await runCli(["preview", "list", ...flags, "-o", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.kind).toBe("PreviewList");
    expect(document.items.map((p: { namespace: string; pr: number }) => [p.namespace, p.pr])).toEqual([
      ["pr-1-app", 1],
      ["pr-2-app", 2],
      ["pr-3-app", 3],
    ]);
  });

  it("deletes the kept previews whose keep time has passed, and only those", async () => {
    const { code, stdout } = await runCli(["preview", "expire", ...flags, "-o", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({ kind: "PreviewsExpired", deleted: ["pr-1-app"] });
    expect(cluster.hasNamespace("pr-1-app")).toBe(false);
    expect(cluster.hasNamespace("pr-2-app")).toBe(true);
  });

  it("is honoured by pr-pod cleanup too: an expired kept preview goes, a kept one stays", async () => {
    await preview(4, new Date(Date.now() - 60_000));
    const { code, stdout } = await runCli(["cleanup", "--all", "-o", "json", ...flags]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.expiredPreviews).toEqual(["pr-4-app"]);
    expect(cluster.hasNamespace("pr-4-app")).toBe(false);
    expect(cluster.hasNamespace("pr-2-app")).toBe(true);
  });

  it("deletes every preview of a PR by --repo and --pr, a custom namespace too, and no other PR's", async () => {
    await preview(3, undefined, "review-app-3");
    await preview(3, undefined, "pr-3-other", "octo/other");
    const { code, stdout, stderr } = await runCli([
      "preview",
      "down",
      "--repo",
      "octo/app",
      "--pr",
      "3",
      ...flags,
      "-o",
      "json",
    ]);
    expect(code, stderr).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.kind).toBe("PreviewDeleted");
    expect([...document.namespaces].sort()).toEqual(["pr-3-app", "review-app-3"]);
    expect(cluster.hasNamespace("pr-3-app")).toBe(false);
    expect(cluster.hasNamespace("review-app-3")).toBe(false);
    expect(cluster.hasNamespace("pr-3-other")).toBe(true);
    expect(cluster.hasNamespace("pr-2-app")).toBe(true);

    const again = await runCli(["preview", "down", "--repo", "octo/app", "--pr", "3", ...flags]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("octo/app#3 has no previews");
  });

  it("deletes one preview by its namespace, and refuses a namespace that is not a preview", async () => {
    const { code, stdout } = await runCli(["preview", "down", "pr-3-other", ...flags]);
    expect(code).toBe(0);
    expect(stdout).toContain("deleted preview pr-3-other");
    expect(cluster.hasNamespace("pr-3-other")).toBe(false);

    await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "team-db" } } });
    const refused = await runCli(["preview", "down", "team-db", ...flags]);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain("namespace team-db is not a pr-pod preview");
    expect(cluster.hasNamespace("team-db")).toBe(true);

    const gone = await runCli(["preview", "down", "pr-3-other", ...flags]);
    expect(gone.code).toBe(65);
    expect(gone.stderr).toContain("there is no preview pr-3-other");
  });

  it("says what it needs without a namespace or --repo and --pr, and refuses a bad --pr or --repo", async () => {
    const usage = await runCli(["preview", "down", ...flags]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain("pr-pod preview down needs the preview to delete");
    const badPr = await runCli(["preview", "down", "--repo", "octo/app", "--pr", "x", ...flags]);
    expect(badPr.code).toBe(64);
    expect(badPr.stderr).toContain("--pr NaN is not a pull request number");
    const badRepo = await runCli(["preview", "down", "--repo", "app", "--pr", "3", ...flags]);
    expect(badRepo.code).toBe(64);
    expect(badRepo.stderr).toContain('--repo "app" is not owner/name');
  });
});
