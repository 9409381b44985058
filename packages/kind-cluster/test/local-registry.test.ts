import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensureKindCluster } from "../src/index.ts";
import { createStandIns, type StandIns } from "./stand-in.ts";

// The kubeconfig the stand-in kind writes points at this API server, which records the
// local-registry-hosting ConfigMap pr-pod applies (409 once it exists, as the real API server does).
let apiServer: Server;
let apiRequests: { method: string; url: string; body: unknown }[];
let configMapExists: boolean;
let standIns: StandIns;

beforeEach(async () => {
  apiRequests = [];
  configMapExists = false;
  apiServer = createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      text += chunk;
    });
    request.on("end", () => {
      const body = text ? JSON.parse(text) : undefined;
      apiRequests.push({ method: request.method ?? "", url: request.url ?? "", body });
      response.setHeader("content-type", "application/json");
      if (request.method === "POST" && configMapExists) {
        response.statusCode = 409;
        response.end(
          JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "AlreadyExists", code: 409 }),
        );
        return;
      }
      configMapExists = true;
      response.statusCode = request.method === "POST" ? 201 : 200;
      response.end(JSON.stringify(body));
    });
  });
  apiServer.listen(0, "127.0.0.1");
  await once(apiServer, "listening");
  standIns = await createStandIns({
    extraEnv: { STAND_IN_API_SERVER: `http://127.0.0.1:${(apiServer.address() as AddressInfo).port}` },
  });
});

afterEach(async () => {
  apiServer.closeAllConnections();
  apiServer.close();
  await standIns.remove();
});

describe("ensureKindCluster with a local registry", () => {
  it("follows kind's guide: registry container, containerd patch, hosts.toml per node, kind network, ConfigMap", async () => {
    const cluster = await ensureKindCluster({
      name: "dev",
      localRegistry: true,
      kubeconfigPath: standIns.kubeconfigPath,
      env: standIns.env,
    });

    expect(cluster.registry).toEqual({ name: "kind-registry", hostPort: 5001, image: "registry:2" });
    const dockerCalls = (await standIns.calls()).filter((call) => call.tool === "docker");
    expect(dockerCalls.map((call) => call.args.slice(0, 2))).toEqual([
      ["inspect", "--format"],
      ["run", "--detach"],
      ["inspect", "--format"],
      ["exec", "-i"],
      ["exec", "-i"],
      ["inspect", "--format"],
      ["network", "connect"],
    ]);
    expect(dockerCalls[1]?.args).toEqual([
      "run",
      "--detach",
      "--restart=always",
      "--publish",
      "127.0.0.1:5001:5000",
      "--network",
      "bridge",
      "--name",
      "kind-registry",
      "registry:2",
    ]);
    expect(dockerCalls[3]).toEqual({
      tool: "docker",
      args: [
        "exec",
        "-i",
        "dev-control-plane",
        "sh",
        "-c",
        "mkdir -p '/etc/containerd/certs.d/localhost:5001' && cat > '/etc/containerd/certs.d/localhost:5001/hosts.toml'",
      ],
      input: '[host."http://kind-registry:5000"]\n',
    });
    // Images pushed from inside the cluster (the run's BuildKit) are named kind-registry:5000/...: the
    // nodes must pull those over plain HTTP too.
    expect(dockerCalls[4]).toEqual({
      tool: "docker",
      args: [
        "exec",
        "-i",
        "dev-control-plane",
        "sh",
        "-c",
        "mkdir -p '/etc/containerd/certs.d/kind-registry:5000' && cat > '/etc/containerd/certs.d/kind-registry:5000/hosts.toml'",
      ],
      input: '[host."http://kind-registry:5000"]\n',
    });
    expect(dockerCalls[6]?.args).toEqual(["network", "connect", "kind", "kind-registry"]);
    expect(parse(await standIns.generatedConfig("dev")).containerdConfigPatches).toEqual([
      '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"',
    ]);
    expect(apiRequests).toEqual([
      {
        method: "POST",
        url: "/api/v1/namespaces/kube-public/configmaps",
        body: expect.objectContaining({
          metadata: { name: "local-registry-hosting", namespace: "kube-public" },
          data: { "localRegistryHosting.v1": expect.stringContaining('host: "localhost:5001"') },
        }),
      },
    ]);
  });

  it("on reuse, keeps the running registry and replaces the ConfigMap that already exists", async () => {
    await ensureKindCluster({
      name: "dev",
      localRegistry: true,
      kubeconfigPath: standIns.kubeconfigPath,
      env: standIns.env,
    });

    const reused = await ensureKindCluster({
      name: "dev",
      localRegistry: true,
      kubeconfigPath: standIns.kubeconfigPath,
      env: standIns.env,
    });

    expect(reused.created).toBe(false);
    const runs = (await standIns.calls()).filter((call) => call.tool === "docker" && call.args[0] === "run");
    expect(runs).toHaveLength(1);
    const connects = (await standIns.calls()).filter((call) => call.tool === "docker" && call.args[0] === "network");
    expect(connects).toHaveLength(1);
    expect(apiRequests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "POST /api/v1/namespaces/kube-public/configmaps",
      "POST /api/v1/namespaces/kube-public/configmaps",
      "PUT /api/v1/namespaces/kube-public/configmaps/local-registry-hosting",
    ]);
  });
});
