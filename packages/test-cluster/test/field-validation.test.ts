// Server-side field validation (fieldValidation=Strict|Warn|Ignore) through client-node and kubectl.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

const kubectlPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "kubectl");
let cluster: TestCluster;
let dir: string;
let core: CoreV1Api;
let batch: BatchV1Api;

beforeAll(async () => {
  cluster = await startTestCluster();
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
  dir = mkdtempSync(join(tmpdir(), "test-cluster-fields-"));
});
afterAll(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      kubectlPath,
      ["--kubeconfig", cluster.kubeconfigPath, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir } },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface RawAnswer {
  code: number;
  warning: string | string[] | undefined;
  body: Record<string, unknown>;
}

/**
 * A JSON request straight over HTTPS: client-node's serializer drops every field its models do not
 * declare, so a create through its typed APIs can never carry a misspelt field (its patches can).
 */
function send(method: string, path: string, body: unknown): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url}${path}`,
      {
        method,
        ca: cluster.caCert,
        headers: { authorization: `Bearer ${cluster.tokens.admin}`, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({ code: res.statusCode ?? 0, warning: res.headers.warning, body: JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** A Job with a misspelt restartPolicy, sent as plain JSON (client-node's types would not allow it). */
const misspeltJob = (name: string) =>
  ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      template: {
        spec: { restartPolicyy: "Never", containers: [{ name: "main", image: "busybox:1.36", cmmand: ["true"] }] },
      },
    },
  }) as never;

async function statusOf(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  const api = error as ApiException<string>;
  return { code: api.code, body: JSON.parse(api.body) };
}

describe("field validation", () => {
  it("refuses unknown fields under Strict with the decoder's 400 BadRequest, naming each in document order", async () => {
    const answer = await send(
      "POST",
      "/apis/batch/v1/namespaces/default/jobs?fieldValidation=Strict",
      misspeltJob("strict"),
    );
    expect(answer.code).toBe(400);
    expect(answer.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.template.spec.restartPolicyy", unknown field "spec.template.spec.containers[0].cmmand"',
      reason: "BadRequest",
      code: 400,
    });
    const jobs = await batch.listNamespacedJob({ namespace: "default" });
    expect(jobs.items.map((j) => j.metadata?.name)).not.toContain("strict");
  });

  it("drops unknown fields with a Warning header under Warn (the default) and silently under Ignore", async () => {
    const warned = await send("POST", "/api/v1/namespaces/default/configmaps", {
      metadata: { name: "warned" },
      data: { a: "1" },
      dataa: { b: "2" },
    });
    expect(warned.code).toBe(201);
    expect(warned.warning).toBe('299 - "unknown field \\"dataa\\""');
    expect(warned.body).not.toHaveProperty("dataa");
    const stored = await core.readNamespacedConfigMap({ name: "warned", namespace: "default" });
    expect(stored.data).toEqual({ a: "1" });

    const ignored = await send("POST", "/api/v1/namespaces/default/secrets?fieldValidation=Ignore", {
      metadata: { name: "ignored", labelz: { x: "y" } },
      stringData: { k: "v" },
    });
    expect(ignored.code).toBe(201);
    expect(ignored.warning).toBeUndefined();
    expect(ignored.body.metadata).not.toHaveProperty("labelz");
  });

  it.each([
    ["/api/v1/namespaces", "Namespace", { metadata: { name: "ns-typo" }, spek: {} }, "spek"],
    ["/api/v1/namespaces/default/configmaps", "ConfigMap", { metadata: { name: "c" }, binaryDta: {} }, "binaryDta"],
    ["/api/v1/namespaces/default/secrets", "Secret", { metadata: { name: "s" }, tpye: "Opaque" }, "tpye"],
    [
      "/api/v1/namespaces/default/serviceaccounts",
      "ServiceAccount",
      { metadata: { name: "sa", uuid: "x" } },
      "metadata.uuid",
    ],
    [
      "/api/v1/namespaces/default/pods",
      "Pod",
      { metadata: { name: "p" }, spec: { containers: [{ name: "m", image: "i", env: [{ name: "A", valu: "1" }] }] } },
      "spec.containers[0].env[0].valu",
    ],
    [
      "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
      "Role",
      { metadata: { name: "r" }, rules: [{ verbs: ["get"], apiGroups: [""], resource: ["pods"] }] },
      "rules[0].resource",
    ],
    [
      "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
      "RoleBinding",
      {
        metadata: { name: "rb" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
        subject: [],
      },
      "subject",
    ],
  ])("refuses a misspelt field under Strict: POST %s (%s)", async (path, kind, body, field) => {
    const answer = await send("POST", `${path}?fieldValidation=Strict`, body);
    expect(answer.code).toBe(400);
    expect(answer.body.message).toBe(
      `${kind} in version "v1" cannot be handled as a ${kind}: strict decoding error: unknown field "${field}"`,
    );
  });

  it("checks merge patches and names the field of a server-side apply in its own words", async () => {
    await core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "patched" } } });
    const merge = await statusOf(
      core.patchNamespacedServiceAccount(
        {
          name: "patched",
          namespace: "default",
          body: { automountServiceAccountTokenn: false },
          fieldValidation: "Strict",
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(merge.code).toBe(400);
    expect(merge.body.message).toContain('strict decoding error: unknown field "automountServiceAccountTokenn"');

    const apply = await statusOf(
      batch.patchNamespacedJob(
        {
          name: "applied",
          namespace: "default",
          body: misspeltJob("applied"),
          fieldManager: "test",
          fieldValidation: "Strict",
        },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      ),
    );
    expect(apply.code).toBe(400);
    expect(apply.body.reason).toBe("BadRequest");
    expect(apply.body.message).toBe(
      'failed to create typed patch object (default/applied; batch/v1, Kind=Job): errors:\n  .spec.template.spec.restartPolicyy: field not declared in schema\n  .spec.template.spec.containers[name="main"].cmmand: field not declared in schema',
    );
  });

  it("makes kubectl create -f refuse a misspelt field, and only warn (dropping it) with --validate=warn", async () => {
    const file = join(dir, "job.yaml");
    writeFileSync(
      file,
      `apiVersion: batch/v1
kind: Job
metadata:
  name: typo
spec:
  template:
    spec:
      restartPolicyy: Never
      containers:
      - name: main
        image: busybox:1.36
`,
    );
    const refused = await kubectl(["create", "-f", file]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toBe(
      `Error from server (BadRequest): error when creating "${file}": Job in version "v1" cannot be handled as a Job: strict decoding error: unknown field "spec.template.spec.restartPolicyy"\n`,
    );
    // Warned, the field is dropped, so the Job falls back to restartPolicy Always, which a Job refuses.
    const warned = await kubectl(["create", "--validate=warn", "-f", file]);
    expect(warned.stderr).toBe(
      'Warning: unknown field "spec.template.spec.restartPolicyy"\nThe Job "typo" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"\n',
    );
  });
});
