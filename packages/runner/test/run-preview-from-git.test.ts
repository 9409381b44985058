// A `--repo --pr` run (no checkout on this machine) with a preview section: the real pod script builds
// the PR in the test cluster (host runtime) from the real git server that demands the token, then the
// runner fetches the chart folders at the commit the pod built, deploys them with the real helm 4.1,
// runs the test Job and tears the preview down. With checkout merge it deploys the merged files; a
// chart path the commit lacks fails the deploy before anything is created.
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PreviewStageEvent, type RunEvent, runPrPod } from "../src/index.ts";
import { type DockerStandin, installDockerStandin, pullRequestOn } from "./host-run-fixtures.ts";
import { collect, TEST_TOKEN } from "./run-helpers.ts";

const helmPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "helm");
let server: TestGitServer;
let docker: DockerStandin;
let cluster: TestCluster<HostRuntime>;
let scratch: string;

const CHART = {
  "deploy/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "deploy/web/values.yaml": 'greeting: "from the chart"\n',
  "deploy/web/templates/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }} }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "busybox:1.36", command: ["sh", "-c", "echo {{ .Values.greeting }}; sleep 600"] }] }
---
apiVersion: v1
kind: Service
metadata: { name: {{ .Release.Name }} }
spec: { selector: { app: web }, ports: [{ port: 8080 }] }
`,
};

beforeAll(async () => {
  server = await startTestGitServer({ token: TEST_TOKEN });
  docker = await installDockerStandin();
  cluster = await startTestCluster({
    runtime: "host",
    namespaces: ["ci"],
    bookmarkIntervalMs: 500,
    hostRuntime: { extraPath: [docker.binDir], killGraceMs: 200 },
  });
  scratch = await mkdtemp(join(tmpdir(), "run-preview-git-"));
});
afterAll(async () => {
  await cluster?.close();
  await server?.close();
  await docker?.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

/** The PR of pullRequestOn as the run's source. */
const pullRequest = async (name: string, head: Record<string, string>, base: Record<string, string> = {}) => ({
  kind: "context" as const,
  context: await pullRequestOn(server, name, head, base),
});

function configFile(name: string, body: string): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

const previewConfig = (chartPath: string, extra = "") => `preview:
  charts: [{ path: ${chartPath}, release: web${extra} }]
  tests: [{ name: smoke, image: "busybox:1.36", command: [sh, -c, "echo smoke: $PREVIEW_URL_WEB ok"] }]
  timeoutSeconds: 120
`;

const previewEvents = (events: RunEvent[]): PreviewStageEvent[] =>
  events.flatMap((event) => (event.type === "preview" ? [event.event] : []));

describe("a run from the PR alone (no checkout) with a preview section", () => {
  it("fetches the chart at the head the pod built, deploys it, runs the tests and tears the preview down", async () => {
    const pullRequestSource = await pullRequest("from-head", CHART);
    const run = runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "ci",
      token: TEST_TOKEN,
      pullRequest: pullRequestSource,
      configFile: configFile("head", previewConfig("deploy/web")),
      preview: { helmPath },
    });
    const events = await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    expect(result.report).toMatchObject({ checkout: "head", artifacts: { charts: ["deploy/web"] } });
    expect(result.preview?.stages.map((s) => [s.stage, s.status])).toEqual([
      ["deploy", "succeeded"],
      ["test", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    const lines = previewEvents(events).flatMap((e) => (e.type === "preview-line" ? [`${e.source}: ${e.line}`] : []));
    expect(lines).toContain(`charts: fetched deploy/web at ${pullRequestSource.context.headSha}`);
    expect(lines).toContain("smoke: smoke: http://web.pr-7-from-head.svc:8080 ok");
    expect(JSON.stringify(events)).not.toContain(TEST_TOKEN);
    expect(cluster.hasNamespace("pr-7-from-head")).toBe(false);
  });

  it("with checkout merge deploys the merged files: a chart on the base, a values file from the PR", async () => {
    const pullRequestSource = await pullRequest(
      "from-merge",
      { "deploy/pr-values.yaml": 'greeting: "from the PR"\n' },
      CHART,
    );
    const run = runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "ci",
      token: TEST_TOKEN,
      pullRequest: pullRequestSource,
      checkout: "merge",
      configFile: configFile("merge", previewConfig("deploy/web", ", valuesFiles: [deploy/pr-values.yaml]")),
      preview: { helmPath },
    });
    const events = await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    expect(result.report).toMatchObject({ checkout: "merge", baseSha: pullRequestSource.context.baseSha });
    const fetched = previewEvents(events).find((e) => e.type === "preview-line" && e.source === "charts");
    expect(fetched).toMatchObject({
      line: expect.stringMatching(/^fetched deploy\/web, deploy\/pr-values\.yaml at [0-9a-f]{40}$/),
    });
    expect(result.preview?.status).toBe("succeeded");
  });

  it("fails the deploy, naming the missing chart path, and creates nothing for the preview", async () => {
    const pullRequestSource = await pullRequest("no-chart", { "feature.txt": "new\n" });
    const created: string[] = [];
    const run = runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "ci",
      token: TEST_TOKEN,
      pullRequest: pullRequestSource,
      configFile: configFile("missing", previewConfig("deploy/web")),
      preview: { helmPath },
    });
    for await (const event of run) if (event.type === "created") created.push(`${event.kind}/${event.name}`);
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "PreviewDeployFailed" });
    expect(result.message).toContain(
      `deploy/web is not in the repository at ${pullRequestSource.context.headSha}: fix the path in the config file's preview section`,
    );
    expect(result.preview?.stages.map((s) => [s.stage, s.status])).toEqual([
      ["deploy", "failed"],
      ["test", "skipped"],
      ["teardown", "succeeded"],
    ]);
    expect(created.some((object) => object.startsWith("Namespace/"))).toBe(false);
    expect(cluster.hasNamespace("pr-7-no-chart")).toBe(false);
  });
});
