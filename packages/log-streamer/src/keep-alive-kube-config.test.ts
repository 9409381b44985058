// keepAliveKubeConfig against a real HTTPS server: typed API clients, watches' fetch options and the
// log streams' https GETs of one KubeConfig share TLS connections.
import https from "node:https";
import type { AddressInfo } from "node:net";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveKubeConfig } from "./keep-alive-kube-config.ts";
import { openByteStream } from "./kube-stream-request.ts";

let server: https.Server;
let connections = 0;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  const pems = await generate([{ name: "commonName", value: "keep-alive-test" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    ],
  });
  server = https.createServer({ cert: pems.cert, key: pems.private }, (request, response) => {
    response.setHeader("content-type", "application/json");
    if (request.url?.includes("/log")) response.end("2026-11-28T00:00:01.5Z one\n");
    else response.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ci" } }));
  });
  server.on("secureConnection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "c", server: `https://127.0.0.1:${port}`, caData: Buffer.from(pems.cert).toString("base64") }],
    users: [{ name: "u", token: "made-up-token" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("keepAliveKubeConfig", () => {
  it("sends one KubeConfig's sequential API calls and log GETs over one TLS connection", async () => {
    const view = keepAliveKubeConfig(kubeConfig);
    expect(keepAliveKubeConfig(kubeConfig)).toBe(view);
    expect(keepAliveKubeConfig(view)).toBe(view);
    const before = connections;
    const core = view.makeApiClient(CoreV1Api);
    for (let i = 0; i < 3; i++) expect((await core.readNamespace({ name: "ci" })).metadata?.name).toBe("ci");
    for (let i = 0; i < 2; i++) {
      const body = await openByteStream(kubeConfig, {
        path: "/api/v1/namespaces/ci/pods/p/log",
        query: {},
        signal: new AbortController().signal,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe("2026-11-28T00:00:01.5Z one\n");
    }
    expect(connections - before).toBe(1);
  });

  it("leaves the KubeConfig it wraps as it was (a plain client still opens its own connections)", async () => {
    const before = connections;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.readNamespace({ name: "ci" });
    await core.readNamespace({ name: "ci" });
    expect(connections - before).toBe(2);
  });
});
