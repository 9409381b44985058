// followPodLogs against the test cluster: a pod's container log up to now, only the last lines or
// the newer ones, and followed live until the container ends, every line once.
import { CoreV1Api } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followPodLogs } from "../src/index.ts";

let cluster: TestCluster;
const scripted = new Map<string, ScriptedPod>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["app"] });
  cluster.runtime.onPod((pod) => {
    scripted.set(pod.name, pod);
    pod.start({ container: "web" });
    pod.log(["one", "two", "three"], { container: "web" });
    if (pod.name === "sidecar") {
      pod.start({ container: "proxy" });
      pod.log("proxy up", { container: "proxy" });
    }
  });
});
afterAll(() => cluster?.close());

async function startPod(name: string, containers = ["web"]) {
  await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: "app",
    body: {
      metadata: { name },
      spec: { restartPolicy: "Never", containers: containers.map((c) => ({ name: c, image: "busybox:1.36" })) },
    },
  });
  return cluster.runtime.waitForPod({ namespace: "app", name });
}

const collect = async (iterable: AsyncIterable<{ line: string }>) => {
  const lines: string[] = [];
  for await (const line of iterable) lines.push(line.line);
  return lines;
};

describe("followPodLogs", () => {
  it("reads a container's log up to now, or its last lines, without follow", async () => {
    await startPod("sidecar", ["web", "proxy"]);
    const options = { namespace: "app", podName: "sidecar" };
    expect(await collect(followPodLogs(cluster.kubeConfig, { ...options, container: "web" }))).toEqual([
      "one",
      "two",
      "three",
    ]);
    expect(await collect(followPodLogs(cluster.kubeConfig, { ...options, container: "web", tailLines: 1 }))).toEqual([
      "three",
    ]);
    expect(await collect(followPodLogs(cluster.kubeConfig, { ...options, container: "proxy" }))).toEqual(["proxy up"]);
  });

  it("follows new lines until the container ends, each line once", async () => {
    await startPod("live");
    const lines: string[] = [];
    const done = (async () => {
      for await (const line of followPodLogs(cluster.kubeConfig, { namespace: "app", podName: "live", follow: true })) {
        lines.push(line.line);
        if (line.line === "three") {
          scripted.get("live")?.log(["four", "five"]);
          scripted.get("live")?.exit(0);
        }
      }
    })();
    await done;
    expect(lines).toEqual(["one", "two", "three", "four", "five"]);
  });

  it("throws the API server's 404 for a pod that does not exist", async () => {
    await expect(
      collect(followPodLogs(cluster.kubeConfig, { namespace: "app", podName: "nope" })),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});
