// runPreviewTests against the test cluster's host runtime (each container's command really runs
// under busybox sh) with the real helm 4.1: helm test hooks that pass and fail, and test Jobs whose
// JUnit XML comes back through the log, all as the preview ServiceAccount.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployPreview, type PreviewDeployment } from "@pr-pod/preview-deploy";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPreviewTests } from "../src/index.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let cluster: TestCluster<HostRuntime>;
let dir: string;
let preview: PreviewDeployment;

function writeChart(hookExit: number): string {
  const chart = join(dir, `api-${hookExit}`);
  mkdirSync(join(chart, "templates", "tests"), { recursive: true });
  writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: api\nversion: 0.1.0\n");
  writeFileSync(
    join(chart, "templates", "service.yaml"),
    `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-api
spec:
  selector: { app: api }
  ports: [{ name: http, port: 8080 }]
`,
  );
  writeFileSync(
    join(chart, "templates", "tests", "check.yaml"),
    `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-check
  annotations: { "helm.sh/hook": test }
spec:
  restartPolicy: Never
  containers:
    - name: check
      image: busybox:1.36
      command: ["sh", "-c", "echo checking the api; exit ${hookExit}"]
`,
  );
  return chart;
}

beforeAll(async () => {
  cluster = await startTestCluster({ runtime: "host" });
  dir = mkdtempSync(join(tmpdir(), "preview-tests-"));
  preview = await deployPreview({
    kubeConfig: cluster.kubeConfig,
    helmPath,
    repo: "octo/api",
    pr: 9,
    charts: [{ release: "api", chart: writeChart(0), timeoutSeconds: 120 }],
  });
});
afterAll(async () => {
  preview?.credentials.dispose();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const junit = (failing: boolean) =>
  `<testsuite name="api"><testcase classname="api" name="answers /health"/>${
    failing ? '<testcase classname="api" name="lists orders"><failure message="expected 200, got 500"/></testcase>' : ""
  }<testcase name="later"><skipped/></testcase></testsuite>`;

describe("runPreviewTests", () => {
  it("passes helm test and a test Job that reaches the preview's URL and writes JUnit, with live lines", async () => {
    const lines: [string, string][] = [];
    const result = await runPreviewTests({
      credentials: preview.credentials,
      helmPath,
      namespace: preview.namespace,
      releases: ["api"],
      tests: [
        {
          name: "smoke",
          image: "busybox:1.36",
          command: [
            "sh",
            "-c",
            `echo "testing $PREVIEW_URL_API_API_HTTP"; echo '${junit(false)}' > "$PR_POD_JUNIT_PATH"`,
          ],
          junitPath: "junit.xml",
        },
      ],
      onLine: (line, test) => lines.push([test, line]),
    });
    expect(result.status).toBe("passed");
    expect(result.results.map((r) => [r.name, r.status])).toEqual([
      ["helm test api", "passed"],
      ["smoke", "passed"],
    ]);
    expect(result.results[1]?.junit).toMatchObject({ tests: 2, passed: 1, failed: 0, skipped: 1 });
    expect(lines).toContainEqual(["smoke", "testing http://api-api.pr-9-api.svc:8080"]);
    expect(lines.some(([, line]) => line.includes("<testsuite"))).toBe(false);
    expect(lines.some(([test, line]) => test === "helm test api" && line.includes("checking the api"))).toBe(true);
    const jobs = cluster.requests.list({ verb: "create", resource: "jobs", namespace: "pr-9-api" });
    expect(jobs.map((r) => r.user)).toEqual(["system:serviceaccount:pr-9-api:pr-pod-preview"]);
  });

  it("fails a test Job with JUnit failures, naming the failing tests, and still runs every test", async () => {
    const result = await runPreviewTests({
      credentials: preview.credentials,
      helmPath,
      namespace: preview.namespace,
      releases: [],
      tests: [
        {
          name: "orders",
          image: "busybox:1.36",
          command: ["sh", "-c", `echo '${junit(true)}' > "$PR_POD_JUNIT_PATH"; exit 1`],
          junitPath: "junit.xml",
        },
        { name: "after", image: "busybox:1.36", command: ["true"] },
      ],
    });
    expect(result.status).toBe("failed");
    expect(result.results[0]).toMatchObject({
      name: "orders",
      status: "failed",
      exitCode: 1,
      junit: {
        tests: 3,
        passed: 1,
        failed: 1,
        skipped: 1,
        failures: [{ name: "api › lists orders", message: "expected 200, got 500" }],
      },
    });
    expect(result.results[0]?.reason).toContain("failing tests: api › lists orders");
    expect(result.results[1]).toMatchObject({ name: "after", status: "passed" });
  });

  it("fails when a chart's helm test hook fails, naming the hook pod", async () => {
    const failing = await deployPreview({
      kubeConfig: cluster.kubeConfig,
      helmPath,
      repo: "octo/api",
      pr: 9,
      charts: [{ release: "api", chart: writeChart(3), timeoutSeconds: 120 }],
    });
    failing.credentials.dispose();
    const result = await runPreviewTests({
      credentials: preview.credentials,
      helmPath,
      namespace: preview.namespace,
      releases: ["api"],
      tests: [],
    });
    expect(result.status).toBe("failed");
    expect(result.results[0]).toMatchObject({ name: "helm test api", status: "failed" });
    expect(result.results[0]?.reason).toContain("api-check");
  });
});
