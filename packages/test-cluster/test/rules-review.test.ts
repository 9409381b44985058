// SelfSubjectRulesReview through client-node and `kubectl auth can-i --list`, for both tokens.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, AuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

const kubectlPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "kubectl");
let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster({
    limitedToken: {
      deny: [
        { verb: "*", resource: "secrets" },
        { verb: "create", resource: "roles" },
        { verb: "get", resource: "pods/log" },
      ],
    },
  });
  dir = mkdtempSync(join(tmpdir(), "test-cluster-rules-"));
});
afterAll(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[], kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      kubectlPath,
      ["--kubeconfig", kubeconfig, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir } },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

const review = (namespace?: string) => ({
  body: {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectRulesReview",
    spec: namespace === undefined ? {} : { namespace },
  },
});

describe("SelfSubjectRulesReview", () => {
  it("lists cluster-admin's rules for the admin token", async () => {
    const api = cluster.kubeConfig.makeApiClient(AuthorizationV1Api);
    const answer = await api.createSelfSubjectRulesReview(review("default"));
    expect(answer.kind).toBe("SelfSubjectRulesReview");
    expect(answer.status?.incomplete).toBe(false);
    expect(answer.status?.evaluationError).toBeUndefined();
    expect(answer.status?.resourceRules[0]).toEqual({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
    expect(answer.status?.nonResourceRules[0]).toEqual({ verbs: ["*"], nonResourceURLs: ["*"] });
  });

  it("lists the limited token an allow rule for every served verb and resource it is not denied", async () => {
    const api = cluster.kubeConfigFor(cluster.tokens.limited).makeApiClient(AuthorizationV1Api);
    const answer = await api.createSelfSubjectRulesReview(review("default"));
    const rules = answer.status?.resourceRules ?? [];
    const verbsOn = (group: string, resource: string) =>
      rules
        .filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    expect(rules.some((r) => r.verbs.includes("*") || r.resources?.includes("*"))).toBe(false);
    expect(verbsOn("", "secrets")).toEqual([]);
    expect(verbsOn("rbac.authorization.k8s.io", "roles")).toEqual([
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ]);
    expect(verbsOn("", "pods/log")).toEqual([]);
    expect(verbsOn("", "pods")).toEqual([
      "create",
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "update",
      "watch",
    ]);
    expect(verbsOn("batch", "jobs")).toContain("create");
    expect(verbsOn("authorization.k8s.io", "selfsubjectrulesreviews")).toEqual(["create"]);
    expect(answer.status?.nonResourceRules.flatMap((r) => r.nonResourceURLs)).toContain("/apis/*");
  });

  it("answers 400 BadRequest without spec.namespace, as the API server does", async () => {
    const api = cluster.kubeConfig.makeApiClient(AuthorizationV1Api);
    const error = await api.createSelfSubjectRulesReview(review()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(400);
    expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({
      kind: "Status",
      status: "Failure",
      message: "no namespace on request",
      reason: "BadRequest",
      code: 400,
    });
  });

  it("is served for create only and listed in discovery", async () => {
    const list = await kubectl(
      ["get", "--raw", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"],
      cluster.kubeconfigPath,
    );
    expect(list.code).not.toBe(0);
    expect(list.stderr).toContain("Error from server (MethodNotAllowed)");
    const run = await kubectl(
      ["api-resources", "--api-group=authorization.k8s.io", "-o", "wide"],
      cluster.kubeconfigPath,
    );
    expect(run.stdout).toMatch(
      /selfsubjectrulesreviews\s+authorization.k8s.io\/v1\s+false\s+SelfSubjectRulesReview\s+create/,
    );
  });

  it("gives kubectl auth can-i --list a table for both tokens", async () => {
    const admin = await kubectl(["auth", "can-i", "--list"], cluster.kubeconfigPath);
    expect(admin.stderr).toBe("");
    expect(admin.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    expect(admin.stdout).toMatch(/\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\n/);
    expect(admin.stdout).toMatch(/\n\s+\[\*\]\s+\[\]\s+\[\*\]\n/);

    const limited = await kubectl(["auth", "can-i", "--list", "-n", "default"], cluster.limitedKubeconfigPath);
    expect(limited.stderr).toBe("");
    expect(limited.stdout).toMatch(
      /\npods\s+\[\]\s+\[\]\s+\[create delete deletecollection get list patch update watch\]\n/,
    );
    expect(limited.stdout).toMatch(/\njobs\.batch\s+\[\]\s+\[\]\s+\[create delete/);
    expect(limited.stdout).toMatch(
      /\nroles\.rbac\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[delete deletecollection get list patch update watch\]\n/,
    );
    expect(limited.stdout).not.toMatch(/^secrets/m);
    expect(limited.stdout).not.toMatch(/^pods\/log/m);
  });
});
