import { describe, expect, it } from "vitest";
import { resolveLocalRegistry } from "./kind-cluster-config.ts";
import {
  buildCreateClusterArguments,
  buildDeleteClusterArguments,
  buildRunRegistryArguments,
  parseClusterList,
  parseNodeStates,
} from "./kind-commands.ts";

describe("kind's argument lists", () => {
  it("create: name, config, wait (60s by default) and kubeconfig; the image only when given", () => {
    expect(buildCreateClusterArguments({ name: "dev", configFile: "/tmp/c.yaml", kubeconfigPath: "/k" })).toEqual([
      "create",
      "cluster",
      "--name",
      "dev",
      "--config",
      "/tmp/c.yaml",
      "--wait",
      "60s",
      "--kubeconfig",
      "/k",
    ]);
  });

  it("create: refuses a wait kind cannot read", () => {
    expect(() =>
      buildCreateClusterArguments({ name: "dev", configFile: "/c", kubeconfigPath: "/k", wait: "60 seconds" }),
    ).toThrow(/wait is "60 seconds".*Fix: give a Go duration/);
    expect(
      buildCreateClusterArguments({ name: "dev", configFile: "/c", kubeconfigPath: "/k", wait: "1m30s" }),
    ).toContain("1m30s");
  });

  it("delete: the kubeconfig only when given", () => {
    expect(buildDeleteClusterArguments("dev")).toEqual(["delete", "cluster", "--name", "dev"]);
  });

  it("the registry container binds to 127.0.0.1 only, as kind's guide does", () => {
    expect(buildRunRegistryArguments(resolveLocalRegistry({ hostPort: 5050 }))).toContain("127.0.0.1:5050:5000");
  });
});

describe("parsing kind and docker output", () => {
  it("reads cluster names and ignores kind's 'none found' notice", () => {
    expect(parseClusterList("dev\npr-pod\n")).toEqual(["dev", "pr-pod"]);
    expect(parseClusterList("No kind clusters found.\n")).toEqual([]);
  });

  it("reads node states from docker inspect", () => {
    expect(parseNodeStates("/dev-control-plane running\n/dev-worker exited\n")).toEqual([
      { name: "dev-control-plane", state: "running" },
      { name: "dev-worker", state: "exited" },
    ]);
  });
});
