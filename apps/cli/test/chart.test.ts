// The Helm chart of `pr-pod serve` (apps/cli/chart): real helm 4.1 lints and renders it, and real
// kubectl 1.35 sends the rendered objects to the test cluster with --dry-run=server, so every object
// is one the API server accepts.
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, expect, it } from "vitest";

const tools = process.env.PR_POD_KUBE_TOOLS ?? resolve(import.meta.dirname, "../../../.tools/bin");
const chart = resolve(import.meta.dirname, "../chart");
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["ci"] });
});
afterAll(async () => {
  await cluster?.close();
});

function run(tool: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(join(tools, tool), args, { timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? "");
  });
}

it("passes helm lint", async () => {
  const lint = await run("helm", ["lint", chart, "--strict", "--set", "webhookSecret=s3cret"]);
  expect(lint.stderr + lint.stdout).toMatch(/0 chart\(s\) failed/);
  expect(lint.code).toBe(0);
});

it("renders objects the API server accepts (kubectl create --dry-run=server)", async () => {
  const template = await run("helm", [
    ...["template", "pr-pod", chart, "-n", "ci"],
    ...["--set", "webhookSecret=s3cret", "--set", "githubToken=ghp_chartchartchartchartchart12345678"],
  ]);
  expect(template.code).toBe(0);
  const kinds = [...template.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]).sort();
  expect(kinds).toEqual([
    "ClusterRole",
    "ClusterRoleBinding",
    "Deployment",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
  ]);
  const created = await run(
    "kubectl",
    ["--kubeconfig", cluster.kubeconfigPath, "create", "--dry-run=server", "-n", "ci", "-f", "-", "-o", "name"],
    template.stdout,
  );
  expect(created.stderr).toBe("");
  expect(created.stdout.trim().split("\n").sort()).toEqual([
    "clusterrole.rbac.authorization.k8s.io/pr-pod-serve-ci-previews",
    "clusterrolebinding.rbac.authorization.k8s.io/pr-pod-serve-ci-previews",
    "deployment.apps/pr-pod-serve",
    "role.rbac.authorization.k8s.io/pr-pod-serve",
    "rolebinding.rbac.authorization.k8s.io/pr-pod-serve",
    "secret/pr-pod-serve",
    "service/pr-pod-serve",
    "serviceaccount/pr-pod-serve",
  ]);
});

it("refuses to render without a webhook secret, saying what to set", async () => {
  const template = await run("helm", ["template", "pr-pod", chart, "-n", "ci"]);
  expect(template.code).not.toBe(0);
  expect(template.stderr).toMatch(/set webhookSecret/);
});
