// A run with builds on and no registry of its own pushes to the registry the cluster announces in
// kube-public/local-registry-hosting (KEP-1755), as `pr-pod cluster up` writes it for kind.
import { CoreV1Api, type V1EnvVar } from "@kubernetes/client-node";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunEvent, type RunPrPodOptions, runPrPod } from "../src/index.ts";
import { collect, finishLikeThePodScript, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;
/** The env of each run's pod container, as the Job carried it. */
const podEnv = new Map<string, Record<string, string>>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["runs"] });
  cluster.runtime.onPod((pod) => {
    const env = pod.object.spec?.containers[0]?.env ?? [];
    podEnv.set(
      pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "",
      Object.fromEntries(env.map((variable: V1EnvVar) => [variable.name, variable.value ?? ""])),
    );
    pod.start();
    finishLikeThePodScript(pod, ["built"]);
  });
});
afterAll(async () => {
  await cluster?.close();
});

const core = () => cluster.kubeConfig.makeApiClient(CoreV1Api);
const HOSTING = { namespace: "kube-public", name: "local-registry-hosting" };

async function announce(text: string): Promise<void> {
  await core().createNamespacedConfigMap({
    namespace: HOSTING.namespace,
    body: { metadata: { name: HOSTING.name }, data: { "localRegistryHosting.v1": text } },
  });
}
afterEach(async () => {
  await core()
    .deleteNamespacedConfigMap(HOSTING)
    .catch(() => undefined);
});

const KIND_HOSTING =
  'host: "localhost:5001"\nhostFromContainerRuntime: "kind-registry:5000"\nhostFromClusterNetwork: "kind-registry:5000"\n';

async function run(pr: number, extra: Partial<RunPrPodOptions> = {}) {
  const handle = runPrPod({
    kubeConfig: cluster.kubeConfig,
    namespace: "runs",
    token: TEST_TOKEN,
    noConfigFile: true,
    pullRequest: offlinePullRequest({ pr }),
    ...extra,
  });
  const events: RunEvent[] = await collect(handle);
  return { events, result: await handle.result, env: podEnv.get(String(pr)) ?? {} };
}

describe("a run on a cluster that announces a local registry", () => {
  it("pushes to hostFromClusterNetwork over plain HTTP and says so", async () => {
    await announce(KIND_HOSTING);
    const { events, result, env } = await run(7001);

    expect(result.status).toBe("succeeded");
    expect(events).toContainEqual({
      type: "local-registry",
      host: "kind-registry:5000",
      source: "kube-public/local-registry-hosting",
    });
    expect(env).toMatchObject({ PR_POD_REGISTRY: "kind-registry:5000", PR_POD_REGISTRY_INSECURE: "true" });
  });

  it("keeps a registry the user gave, without reading the ConfigMap", async () => {
    await announce(KIND_HOSTING);
    cluster.requests.clear();
    const { events, env } = await run(7002, { registry: { host: "ghcr.io/acme" } });

    expect(env.PR_POD_REGISTRY).toBe("ghcr.io/acme");
    expect(events.some((event) => event.type === "local-registry")).toBe(false);
    expect(cluster.requests.counters()["get configmaps"]).toBeUndefined();
  });

  it("warns, and pushes nowhere, when the ConfigMap names only a host pods cannot reach", async () => {
    await announce('host: "localhost:5001"\n');
    const { events, result, env } = await run(7003);

    expect(result.status).toBe("succeeded");
    expect(env.PR_POD_REGISTRY).toBeUndefined();
    const warnings = events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
    expect(warnings).toContainEqual(expect.stringContaining("names only localhost:5001"));
    expect(warnings).toContainEqual(expect.stringContaining("pass --registry"));
  });

  it("does not look when builds are off", async () => {
    await announce(KIND_HOSTING);
    cluster.requests.clear();
    const { env } = await run(7004, { build: false });

    expect(env.PR_POD_REGISTRY).toBeUndefined();
    expect(cluster.requests.counters()["get configmaps"]).toBeUndefined();
  });
});

describe("a run on a cluster without one", () => {
  it("builds without pushing, after one 404", async () => {
    cluster.requests.clear();
    const { events, result, env } = await run(7005);

    expect(result.status).toBe("succeeded");
    expect(env.PR_POD_REGISTRY).toBeUndefined();
    expect(events.some((event) => event.type === "local-registry" || event.type === "warning")).toBe(false);
    expect(cluster.requests.counters()["get configmaps"]).toBe(1);
  });
});
