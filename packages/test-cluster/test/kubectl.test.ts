// Real kubectl 1.35 against the test cluster: the commands pr-pod's users and tests rely on.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

const kubectlPath = join(process.env.PR_POD_KUBE_TOOLS ?? "/work/main/.tools/bin", "kubectl");
let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = mkdtempSync(join(tmpdir(), "test-cluster-kubectl-"));
});
afterAll(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], options: { stdin?: string; kubeconfig?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath,
      ["--kubeconfig", options.kubeconfig ?? cluster.kubeconfigPath, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: dir } },
      (error, stdout, stderr) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

const jobYaml = (name: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:1.36
        command: ["sh", "-c", "echo hi"]
`;

describe("kubectl 1.35 against the test cluster", () => {
  it("lists namespaces as a table", async () => {
    const run = await kubectl(["get", "ns"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    expect(run.stdout).toMatch(/\ndefault\s+Active\s+\d+s\n/);
  });

  it("creates a job from a file (server-side field validation), finds its pod by label, follows its log and waits for completion", async () => {
    const file = join(dir, "job.yaml");
    writeFileSync(file, jobYaml("x"));
    const created = await kubectl(["create", "-f", file]);
    expect(created.stderr).toBe("");
    expect(created.stdout).toBe("job.batch/x created\n");
    expect(cluster.requests.list({ verb: "create", resource: "jobs" })[0]?.query.fieldValidation).toBe("Strict");

    const pod = await cluster.runtime.waitForPod({ jobName: "x" });
    const listed = await kubectl(["get", "pods", "-l", "job-name=x", "-o", "json"]);
    expect(JSON.parse(listed.stdout).items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual([
      pod.name,
    ]);

    pod.start();
    pod.log("line one");
    const waiting = kubectl(["wait", "--for=condition=complete", "job/x", "--timeout=20s"]);
    const follow = spawn(kubectlPath, ["--kubeconfig", cluster.kubeconfigPath, "logs", "-f", pod.name], {
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    });
    let followed = "";
    follow.stdout.on("data", (chunk: Buffer) => {
      followed += chunk.toString();
      if (followed === "line one\n") {
        pod.log("line two");
        pod.exit(0);
      }
    });
    const followCode = await new Promise((resolve) => follow.on("close", resolve));
    expect(followCode).toBe(0);
    expect(followed).toBe("line one\nline two\n");
    const waited = await waiting;
    expect(waited.stdout).toBe("job.batch/x condition met\n");
  });

  it("deletes a job with --cascade=background and its pods go", async () => {
    const file = join(dir, "job-del.yaml");
    writeFileSync(file, jobYaml("del"));
    await kubectl(["create", "-f", file]);
    const pod = await cluster.runtime.waitForPod({ jobName: "del" });
    pod.start();
    const deleted = await kubectl(["delete", "job", "del", "--cascade=background"]);
    expect(deleted.stdout).toBe('job.batch "del" deleted from default namespace\n');
    await pod.stopped;
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const deadline = Date.now() + 5000;
    while ((await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=del" })).items.length > 0) {
      if (Date.now() > deadline) throw new Error("pods of job del were not garbage-collected");
    }
  });

  it("answers auth can-i for the admin and the limited token, and the limited token gets 403", async () => {
    expect((await kubectl(["auth", "can-i", "create", "pods"])).stdout).toBe("yes\n");
    const limited = { kubeconfig: cluster.limitedKubeconfigPath };
    const no = await kubectl(["auth", "can-i", "get", "secrets"], limited);
    expect(no.stdout).toBe("no\n");
    const refused = await kubectl(["get", "secrets"], limited);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:default:limited" cannot list resource "secrets" in API group "" in the namespace "default"',
    );
  });

  it("creates nothing with --dry-run=server", async () => {
    const run = await kubectl(["create", "--dry-run=server", "-f", "-"], { stdin: jobYaml("dry") });
    expect(run.stdout).toBe("job.batch/dry created (server dry run)\n");
    const get = await kubectl(["get", "job", "dry"]);
    expect(get.stderr).toContain('Error from server (NotFound): jobs.batch "dry" not found');
  });

  it("creates a Secret, ConfigMap, Namespace and ServiceAccount from kubectl's protobuf bodies, binary-safe", async () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const binaryPath = join(dir, "blob.bin");
    writeFileSync(binaryPath, binary);
    const token = "ghp_testtesttesttesttesttesttesttest1234";
    const created = [
      await kubectl(["create", "namespace", "proto-ns"]),
      await kubectl([
        "create",
        "secret",
        "generic",
        "proto-secret",
        "-n",
        "proto-ns",
        `--from-literal=token=${token}`,
        `--from-file=blob=${binaryPath}`,
        "--type=example.com/token",
      ]),
      await kubectl([
        "create",
        "configmap",
        "proto-config",
        "-n",
        "proto-ns",
        "--from-literal=greeting=héllo wörld",
        `--from-file=blob=${binaryPath}`,
      ]),
      await kubectl(["create", "serviceaccount", "proto-sa", "-n", "proto-ns"]),
    ];
    expect(created.map((run) => run.stderr)).toEqual(["", "", "", ""]);
    expect(created.map((run) => run.stdout)).toEqual([
      "namespace/proto-ns created\n",
      "secret/proto-secret created\n",
      "configmap/proto-config created\n",
      "serviceaccount/proto-sa created\n",
    ]);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const ns = await core.readNamespace({ name: "proto-ns" });
    expect(ns.metadata?.name).toBe("proto-ns");
    expect(ns.status?.phase).toBe("Active");
    const secret = await core.readNamespacedSecret({ name: "proto-secret", namespace: "proto-ns" });
    expect(secret.type).toBe("example.com/token");
    expect(Buffer.from(secret.data?.token ?? "", "base64").toString("utf8")).toBe(token);
    expect(Buffer.from(secret.data?.blob ?? "", "base64")).toEqual(binary);
    const config = await core.readNamespacedConfigMap({ name: "proto-config", namespace: "proto-ns" });
    expect(config.data).toEqual({ greeting: "héllo wörld" });
    expect(Buffer.from(config.binaryData?.blob ?? "", "base64")).toEqual(binary);
    const account = await core.readNamespacedServiceAccount({ name: "proto-sa", namespace: "proto-ns" });
    expect(account.metadata?.namespace).toBe("proto-ns");
    expect(account.metadata?.uid).toBeTruthy();
  });
});
