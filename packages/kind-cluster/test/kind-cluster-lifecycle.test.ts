import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  deleteKindCluster,
  ensureKindCluster,
  KindClusterError,
  type KindLogger,
  kindClusterStatus,
} from "../src/index.ts";
import { createStandIns, type StandIns } from "./stand-in.ts";

let standIns: StandIns | undefined;
afterEach(async () => {
  await standIns?.remove();
  standIns = undefined;
});

function collectingLogger(): KindLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(line), warn: (line) => lines.push(`warn: ${line}`) };
}

async function setUp(options: Parameters<typeof createStandIns>[0] = {}) {
  standIns = await createStandIns(options);
  return standIns;
}

describe("ensureKindCluster", () => {
  it("creates a cluster with a generated config, the node image, the wait and the kubeconfig path", async () => {
    const s = await setUp();
    const logger = collectingLogger();

    const cluster = await ensureKindCluster({
      name: "dev",
      nodeImage: "kindest/node:v1.35.0",
      wait: "90s",
      kubeconfigPath: s.kubeconfigPath,
      extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: "127.0.0.1" }],
      logger,
      env: s.env,
    });

    expect(cluster).toEqual({ name: "dev", kubeconfigPath: s.kubeconfigPath, created: true, context: "kind-dev" });
    const calls = await s.calls();
    const create = calls.find((call) => call.tool === "kind" && call.args[0] === "create");
    const configFile = create?.args[create.args.indexOf("--config") + 1];
    expect(create?.args).toEqual([
      "create",
      "cluster",
      "--name",
      "dev",
      "--config",
      configFile,
      "--image",
      "kindest/node:v1.35.0",
      "--wait",
      "90s",
      "--kubeconfig",
      s.kubeconfigPath,
    ]);
    expect(parse(await s.generatedConfig("dev"))).toEqual({
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      nodes: [
        {
          role: "control-plane",
          extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: "127.0.0.1" }],
        },
      ],
    });
    expect(existsSync(configFile ?? "")).toBe(false);
    expect(await readFile(s.kubeconfigPath, "utf8")).toContain("current-context: kind-dev");
  });

  it("streams kind's progress lines to the logger, one line each, as kind prints them", async () => {
    const s = await setUp();
    const releaseFile = join(s.folder, "release");
    s.env["STAND_IN_HOLD_UNTIL_FILE"] = releaseFile;
    const lines: string[] = [];
    // The stand-in holds after its first progress line until this file exists: only a logger that
    // sees lines before kind exits can release it.
    const logger: KindLogger = {
      info(line) {
        lines.push(line);
        if (line.includes("Ensuring node image")) void writeFile(releaseFile, "go");
      },
    };

    await ensureKindCluster({ name: "dev", kubeconfigPath: s.kubeconfigPath, logger, env: s.env });

    expect(lines.slice(0, 3)).toEqual([
      'Creating cluster "dev" ...',
      " • Ensuring node image (kindest/node:v1.35.0) 🖼  ...",
      " ✓ Ensuring node image (kindest/node:v1.35.0) 🖼",
    ]);
    expect(lines).toContain(" ✓ Waiting ≤ 1m0s for control-plane = Ready ⏳");
    expect(lines).toContain('Set kubectl context to "kind-dev"');
    expect(lines.every((line) => !line.includes("\n"))).toBe(true);
  });

  it("reuses a running cluster of that name and exports its kubeconfig instead of creating one", async () => {
    const s = await setUp();
    await s.addCluster("dev");
    const logger = collectingLogger();

    const cluster = await ensureKindCluster({ name: "dev", kubeconfigPath: s.kubeconfigPath, logger, env: s.env });

    expect(cluster.created).toBe(false);
    const kindCalls = (await s.calls()).filter((call) => call.tool === "kind").map((call) => call.args);
    expect(kindCalls).toEqual([
      ["get", "clusters"],
      ["get", "nodes", "--name", "dev"],
      ["export", "kubeconfig", "--name", "dev", "--kubeconfig", s.kubeconfigPath],
    ]);
    expect(logger.lines).toContain('reusing the running kind cluster "dev"');
    expect(await readFile(s.kubeconfigPath, "utf8")).toContain("kind-dev");
  });

  it("refuses to reuse a cluster whose node containers are stopped, saying how to start them", async () => {
    const s = await setUp();
    await s.addCluster("dev", "exited");

    const error = await ensureKindCluster({ name: "dev", kubeconfigPath: s.kubeconfigPath, env: s.env }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(KindClusterError);
    expect(error).toMatchObject({ code: "CLUSTER_NOT_RUNNING" });
    expect((error as Error).message).toContain("docker start dev-control-plane");
  });

  it("merges the caller's config file with the extra port mappings", async () => {
    const s = await setUp();
    const configFile = join(s.folder, "kind.yaml");
    await writeFile(
      configFile,
      "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  ipFamily: ipv4\nnodes:\n- role: control-plane\n- role: worker\n",
    );

    await ensureKindCluster({
      name: "two",
      config: configFile,
      extraPortMappings: [{ containerPort: 443, hostPort: 8443 }],
      kubeconfigPath: s.kubeconfigPath,
      env: s.env,
    });

    expect(parse(await s.generatedConfig("two"))).toEqual({
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      networking: { ipFamily: "ipv4" },
      nodes: [
        { role: "control-plane", extraPortMappings: [{ containerPort: 443, hostPort: 8443 }] },
        { role: "worker" },
      ],
    });
  });

  it.each([
    ["docker-not-running", "DOCKER_NOT_RUNNING", "start Docker"],
    ["port-in-use", "PORT_IN_USE", "host port 8080"],
    ["image-pull-failed", "NODE_IMAGE_PULL_FAILED", "docker pull kindest/node:v1.99.0"],
    ["already-exists", "CLUSTER_ALREADY_EXISTS", "kind delete cluster --name dev"],
  ] as const)("maps kind's %s failure to %s with a fix", async (failure, code, fixText) => {
    const s = await setUp({ failure });
    const logger = collectingLogger();

    const error = await ensureKindCluster({
      name: "dev",
      nodeImage: failure === "image-pull-failed" ? "kindest/node:v1.99.0" : undefined,
      kubeconfigPath: s.kubeconfigPath,
      logger,
      env: s.env,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KindClusterError);
    const kindError = error as KindClusterError;
    expect(kindError.code).toBe(code);
    expect(kindError.fix).toContain(fixText);
    expect(kindError.message).toContain(fixText);
    expect(kindError.stderr).toContain("ERROR:");
    expect(kindError.command?.[0]).toBe("kind");
  });

  it("says kind is missing when the kind executable does not exist", async () => {
    const s = await setUp();

    const error = await ensureKindCluster({
      kind: join(s.folder, "no-such-kind"),
      kubeconfigPath: s.kubeconfigPath,
      env: s.env,
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "KIND_NOT_FOUND" });
    expect((error as Error).message).toContain("no-such-kind");
  });

  it("stops kind and reports ABORTED when the signal fires mid-create", async () => {
    const s = await setUp();
    s.env["STAND_IN_HOLD_UNTIL_FILE"] = join(s.folder, "never-created");
    const controller = new AbortController();
    const logger: KindLogger = {
      info(line) {
        if (line.includes("Ensuring node image")) controller.abort(new Error("user pressed Ctrl-C"));
      },
    };

    const error = await ensureKindCluster({
      name: "dev",
      kubeconfigPath: s.kubeconfigPath,
      logger,
      signal: controller.signal,
      env: s.env,
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "ABORTED" });
  });
});

describe("kindClusterStatus", () => {
  it("reports a missing cluster without calling docker", async () => {
    const s = await setUp();

    expect(await kindClusterStatus("dev", { env: s.env })).toEqual({
      name: "dev",
      exists: false,
      running: false,
      nodes: [],
    });
    expect((await s.calls()).map((call) => call.tool)).toEqual(["kind"]);
  });

  it("reports each node container's state", async () => {
    const s = await setUp();
    await s.addCluster("dev");

    expect(await kindClusterStatus("dev", { env: s.env })).toEqual({
      name: "dev",
      exists: true,
      running: true,
      nodes: [{ name: "dev-control-plane", state: "running" }],
    });
  });

  it("says Docker is not running when kind cannot list clusters", async () => {
    const s = await setUp({ failure: "docker-not-running" });

    await expect(kindClusterStatus("dev", { env: s.env })).rejects.toMatchObject({
      code: "DOCKER_NOT_RUNNING",
      message: expect.stringContaining("Cannot connect to the Docker daemon"),
    });
  });
});

describe("deleteKindCluster", () => {
  it("deletes an existing cluster, passing the kubeconfig to clean, and streams kind's lines", async () => {
    const s = await setUp();
    await s.addCluster("dev");
    const logger = collectingLogger();

    const result = await deleteKindCluster("dev", { kubeconfigPath: s.kubeconfigPath, logger, env: s.env });

    expect(result).toEqual({ name: "dev", existed: true });
    expect((await s.calls()).at(-1)?.args).toEqual([
      "delete",
      "cluster",
      "--name",
      "dev",
      "--kubeconfig",
      s.kubeconfigPath,
    ]);
    expect(logger.lines).toEqual(['Deleting cluster "dev" ...', 'Deleted nodes: ["dev-control-plane"]']);
    expect((await kindClusterStatus("dev", { env: s.env })).exists).toBe(false);
  });

  it("does nothing, and says so, when there is no such cluster", async () => {
    const s = await setUp();
    const logger = collectingLogger();

    expect(await deleteKindCluster("dev", { logger, env: s.env })).toEqual({ name: "dev", existed: false });
    expect((await s.calls()).map((call) => call.args[0])).toEqual(["get"]);
    expect(logger.lines).toEqual(['no kind cluster named "dev" to delete']);
  });
});
