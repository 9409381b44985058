// run --repo --pr (no checkout on this machine) with a preview section: the pod builds the PR from the
// real git server, then the CLI fetches the chart at the commit the pod built, deploys it with the real
// helm 4.1, runs the test Job and tears the preview down (exit 0); a chart path the commit lacks exits
// 20 with the path and the fix, and nothing of the preview is left.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli } from "./cli-process.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let scratch: string;
let fixture: CliCluster;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "pr-pod-cli-repo-preview-"));
  fixture = await startCliCluster();
});
afterAll(async () => {
  await fixture?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function config(name: string, chartPath: string): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(
    file,
    `preview:
  charts: [{ path: ${chartPath}, release: app }]
  tests: [{ name: smoke, image: "busybox:1.36", command: [sh, -c, "echo smoke ok"] }]
  timeoutSeconds: 120
`,
  );
  return file;
}

const runRepo = (pr: number, configFile: string, extra: string[] = []) =>
  runCli(
    [...extra, "run", ...fixture.prFlags("good", pr), "--config", configFile, "--kubeconfig", fixture.kubeconfigPath],
    { env: { GITHUB_PAT: TEST_TOKEN, PR_POD_HELM: helmPath } },
  );

describe("run --repo --pr with a preview section", () => {
  it("deploys the chart fetched at the built commit, runs the test Job and tears the preview down", async () => {
    const { code, stdout, stderr } = await runRepo(81, config("good", "charts/app"));
    expect(stderr).toContain(`fetched charts/app at ${fixture.sha("good")}`);
    expect(stderr).toMatch(/preview deploy succeeded in/);
    expect(stderr).toContain("[smoke] smoke ok");
    expect(stderr).toMatch(/preview teardown succeeded in/);
    expect(`${stdout}${stderr}`).not.toContain(TEST_TOKEN);
    expect(code, stderr).toBe(0);
    expect(fixture.cluster.hasNamespace("pr-81-app")).toBe(false);
  });

  it("exits 20 naming a chart path the commit does not have, and leaves no preview behind", async () => {
    const { code, stdout, stderr } = await runRepo(82, config("missing", "deploy/app"), ["-o", "json"]);
    expect(code, stderr).toBe(20);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ exitCode: 20, reason: "PreviewDeployFailed" });
    expect(document.message).toContain(
      `deploy/app is not in the repository at ${fixture.sha("good")}: fix the path in the config file's preview section`,
    );
    expect(fixture.cluster.hasNamespace("pr-82-app")).toBe(false);
  });
});
