// Jobs whose containers really run, as host processes under busybox sh.
import { PassThrough } from "node:stream";
import { BatchV1Api, CoreV1Api, Log, type V1EnvVar, type V1Job } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HostRuntime, TestCluster } from "../src/index.ts";
import { startTestCluster } from "../src/index.ts";

let cluster: TestCluster<HostRuntime>;
let core: CoreV1Api;
let batch: BatchV1Api;

beforeEach(async () => {
  cluster = await startTestCluster({ runtime: "host", hostRuntime: { killGraceMs: 200 } });
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
});
afterEach(() => cluster.close());

function shellJob(name: string, script: string, options: { backoffLimit?: number; env?: V1EnvVar[] } = {}): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: options.backoffLimit ?? 0,
      template: {
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "main", image: "alpine:3.20", command: ["sh", "-c", script], env: options.env ?? [] }],
        },
      },
    },
  };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const finished = (name: string) =>
  until(async () => {
    const job = await batch.readNamespacedJob({ name, namespace: "default" });
    return job.status?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")
      ? job
      : undefined;
  }, `job ${name} to finish`);

describe("jobs under the host runtime", () => {
  it("runs echo lines to Complete and streams them live while the container runs", async () => {
    // The container waits for a file the test writes once it has seen the first lines: proof they streamed live.
    const script = 'echo one; echo two >&2; while [ ! -e "$GATE" ]; do sleep 0.05; done; echo three';
    const gate = "/workspace/gate";
    const job = shellJob("echoes", script, { env: [{ name: "GATE", value: gate }] });
    const spec = job.spec?.template.spec;
    if (!spec) throw new Error("no pod spec");
    spec.volumes = [{ name: "workspace", emptyDir: {} }];
    spec.containers[0]!.volumeMounts = [{ name: "workspace", mountPath: "/workspace" }];
    await batch.createNamespacedJob({ namespace: "default", body: job });
    const pod = await until(async () => {
      const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=echoes" });
      const p = pods.items[0];
      return p?.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    }, "the pod to run");
    const podName = pod.metadata?.name as string;

    const out = new PassThrough();
    let text = "";
    const ended = new Promise<void>((resolve) => out.on("end", resolve));
    const { writeFileSync } = await import("node:fs");
    const dir = cluster.runtime.podDir("default", podName) as string;
    let released = false;
    out.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (!released && text.includes("one\n") && text.includes("two\n")) {
        released = true;
        writeFileSync(`${dir}/volumes/workspace/gate`, "go\n");
      }
    });
    await new Log(cluster.kubeConfig).log("default", podName, "main", out, { follow: true });
    await ended;
    expect(text.split("\n").filter(Boolean).sort()).toEqual(["one", "three", "two"]);

    const done = await finished("echoes");
    expect(done.status?.succeeded).toBe(1);
    expect(done.status?.conditions?.at(-1)).toMatchObject({ type: "Complete", reason: "CompletionsReached" });
    const finalPod = await core.readNamespacedPod({ name: podName, namespace: "default" });
    expect(finalPod.status?.phase).toBe("Succeeded");
    expect(finalPod.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: "Completed",
    });
  });

  it("reports a failing job as Failed with BackoffLimitExceeded and keeps the exit code and termination message", async () => {
    await batch.createNamespacedJob({
      namespace: "default",
      body: shellJob("fails", 'echo "bad input" > /dev/termination-log; exit 3', { backoffLimit: 1 }),
    });
    const job = await finished("fails");
    expect(job.status?.failed).toBe(2);
    expect(job.status?.conditions?.at(-1)).toMatchObject({ type: "Failed", reason: "BackoffLimitExceeded" });
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=fails" });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.status?.phase).toBe("Failed");
      expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    }
  });

  it("gives CreateContainerConfigError while a referenced secret is missing", async () => {
    const env = [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "absent", key: "token" } } }];
    await batch.createNamespacedJob({ namespace: "default", body: shellJob("nosecret", "echo $TOKEN", { env }) });
    const waiting = await until(async () => {
      const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=nosecret" });
      const state = pods.items[0]?.status?.containerStatuses?.[0]?.state?.waiting;
      return state?.reason === "CreateContainerConfigError" ? state : undefined;
    }, "CreateContainerConfigError");
    expect(waiting.message).toBe('secret "absent" not found');
  });

  it("runs init containers first, sharing an emptyDir with the main container", async () => {
    const mount = [{ name: "work", mountPath: "/work" }];
    const env = [{ name: "WORK", value: "/work" }];
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "staged" },
        spec: {
          restartPolicy: "Never",
          volumes: [{ name: "work", emptyDir: {} }],
          initContainers: [
            {
              name: "prepare",
              image: "alpine",
              command: ["sh", "-c", 'echo prepared > "$WORK/note"'],
              env,
              volumeMounts: mount,
            },
          ],
          containers: [
            { name: "main", image: "alpine", command: ["sh", "-c", 'cat "$WORK/note"'], env, volumeMounts: mount },
          ],
        },
      },
    });
    const done = await until(async () => {
      const p = await core.readNamespacedPod({ name: "staged", namespace: "default" });
      return p.status?.phase === "Succeeded" ? p : undefined;
    }, "pod staged to succeed");
    expect(done.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    expect(await core.readNamespacedPodLog({ name: "staged", namespace: "default", container: "main" })).toBe(
      "prepared\n",
    );
  });

  it("kills the process when the pod is deleted", async () => {
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "sleeper" },
        spec: { containers: [{ name: "main", image: "alpine", command: ["sh", "-c", "echo up; sleep 30"] }] },
      },
    });
    await until(async () => {
      const p = await core.readNamespacedPod({ name: "sleeper", namespace: "default" });
      return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    }, "sleeper to run");
    await core.deleteNamespacedPod({ name: "sleeper", namespace: "default" });
    await until(async () => {
      const list = await core.listNamespacedPod({ namespace: "default", fieldSelector: "metadata.name=sleeper" });
      return list.items.length === 0 ? true : undefined;
    }, "sleeper to be gone");
  });
});
