// run --source with a preview section: after the real pod script builds the checkout in the test
// cluster (host runtime), the CLI deploys the checkout's chart with the real helm 4.1, runs the test
// Job, tears the preview down, and exits 0, or 21 when the test fails.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

const run = promisify(execFile);
const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let scratch: string;
let fixture: CliCluster;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "pr-pod-cli-preview-"));
  fixture = await startCliCluster();
});
afterAll(async () => {
  await fixture?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function checkoutWithChart(name: string, testCommand: string): Promise<string> {
  const directory = join(scratch, name);
  const url = fixture.git.repoUrl("octo/app").replace("http://", `http://x-access-token:${TEST_TOKEN}@`);
  await run("git", ["clone", "--quiet", "--branch", "good", url, directory]);
  await run("git", ["remote", "set-url", "origin", fixture.git.repoUrl("octo/app")], { cwd: directory });
  mkdirSync(join(directory, "chart", "templates"), { recursive: true });
  writeFileSync(join(directory, "chart", "Chart.yaml"), "apiVersion: v2\nname: app\nversion: 0.1.0\n");
  writeFileSync(
    join(directory, "chart", "templates", "web.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }}-web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "busybox:1.36", command: ["sh", "-c", "echo serving; sleep 600"] }] }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }}-web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
  );
  writeFileSync(
    join(directory, "pr-pod.config.yaml"),
    `preview:
  charts: [{ path: chart, release: app }]
  tests: [{ name: smoke, image: "busybox:1.36", command: [sh, -c, "${testCommand}"] }]
  timeoutSeconds: 120
`,
  );
  return directory;
}

const runWithPreview = (directory: string, pr: number, extra: string[] = []) =>
  runCli(
    [
      ...extra,
      "run",
      "--source",
      directory,
      "--pr",
      String(pr),
      "--clone-url",
      fixture.git.repoUrl("octo/app"),
      "--config",
      join(directory, "pr-pod.config.yaml"),
      "--kubeconfig",
      fixture.kubeconfigPath,
    ],
    { env: { GITHUB_PAT: TEST_TOKEN, PR_POD_HELM: helmPath } },
  );

describe("run --source with a preview section", () => {
  it("builds, deploys the chart, runs the test Job against it and tears the preview down", async () => {
    const directory = await checkoutWithChart("passes", "echo smoke: $PREVIEW_URL_APP_WEB ok");
    const { code, stdout, stderr } = await runWithPreview(directory, 71);
    expect(stderr).toContain("[smoke] smoke: http://app-web.pr-71-app.svc:80 ok");
    expect(stderr).toMatch(/preview deploy succeeded in/);
    expect(stderr).toMatch(/preview teardown succeeded in/);
    expect(stdout).toContain("succeeded");
    expect(code).toBe(0);
    expect(fixture.cluster.hasNamespace("pr-71-app")).toBe(false);
  });

  it("exits 21 when the preview's test fails, and -o json carries each stage", async () => {
    const directory = await checkoutWithChart("fails", "echo smoke: 500; exit 1");
    const { code, stdout } = await runWithPreview(directory, 72, ["-o", "json"]);
    expect(code).toBe(21);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({ kind: "RunResult", exitCode: 21, reason: "PreviewTestsFailed" });
    expect(document.preview.namespace).toBe("pr-72-app");
    expect(
      document.preview.stages.map((stage: { stage: string; status: string }) => [stage.stage, stage.status]),
    ).toEqual([
      ["deploy", "succeeded"],
      ["test", "failed"],
      ["teardown", "succeeded"],
    ]);
    expect(fixture.cluster.hasNamespace("pr-72-app")).toBe(false);
  });
});
