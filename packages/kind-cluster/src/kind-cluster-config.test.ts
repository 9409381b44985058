import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildKindClusterConfig,
  buildLocalRegistryHostingConfigMap,
  buildRegistryHostsToml,
  parseKindClusterConfig,
  REGISTRY_CONFIG_PATH_PATCH,
  registryHostsDirectories,
  renderKindClusterConfig,
  resolveLocalRegistry,
} from "./kind-cluster-config.ts";

describe("buildKindClusterConfig", () => {
  it("gives one control-plane node when nothing is asked for", () => {
    expect(buildKindClusterConfig()).toEqual({
      kind: "Cluster",
      apiVersion: "kind.x-k8s.io/v1alpha4",
      nodes: [{ role: "control-plane" }],
    });
  });

  it("adds port mappings to the first control-plane node and keeps the caller's fields", () => {
    const callerConfig = {
      networking: { apiServerPort: 6443 },
      nodes: [
        { role: "worker" as const },
        { role: "control-plane" as const, extraPortMappings: [{ containerPort: 30000, hostPort: 30000 }] },
      ],
    };
    const config = buildKindClusterConfig({
      config: callerConfig,
      extraPortMappings: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }],
    });
    expect(config.networking).toEqual({ apiServerPort: 6443 });
    expect(config.nodes?.[1]?.extraPortMappings).toEqual([
      { containerPort: 30000, hostPort: 30000 },
      { containerPort: 80, hostPort: 8080, protocol: "TCP" },
    ]);
    expect(callerConfig.nodes[1]?.extraPortMappings).toHaveLength(1);
  });

  it("adds the containerd registry patch from kind's local-registry guide once", () => {
    const config = buildKindClusterConfig({ localRegistry: true });
    expect(config.containerdConfigPatches).toEqual([REGISTRY_CONFIG_PATH_PATCH]);
    const again = buildKindClusterConfig({ config, localRegistry: true });
    expect(again.containerdConfigPatches).toHaveLength(1);
  });

  it("rejects configs that are not kind Cluster configs, and impossible ports", () => {
    expect(() => buildKindClusterConfig({ config: { apiVersion: "kind.x-k8s.io/v1alpha3" } })).toThrow(
      /apiVersion: kind.x-k8s.io\/v1alpha3.*Fix: set apiVersion: kind.x-k8s.io\/v1alpha4/,
    );
    expect(() => buildKindClusterConfig({ extraPortMappings: [{ containerPort: 80, hostPort: 70000 }] })).toThrow(
      /hostPort: 70000/,
    );
    expect(() =>
      buildKindClusterConfig({
        config: { nodes: [{ role: "worker" }] },
        extraPortMappings: [{ containerPort: 80, hostPort: 80 }],
      }),
    ).toThrow(/control-plane/);
  });
});

describe("renderKindClusterConfig", () => {
  it("writes YAML kind reads back to the same object, with the patch as a block string", () => {
    const config = buildKindClusterConfig({
      localRegistry: true,
      extraPortMappings: [{ containerPort: 80, hostPort: 80 }],
    });
    const text = renderKindClusterConfig(config);
    expect(text.startsWith("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n")).toBe(true);
    expect(parse(text)).toEqual(config);
    expect(text).toContain('config_path = "/etc/containerd/certs.d"');
  });
});

describe("parseKindClusterConfig", () => {
  it("reads a config file's text and names the file when it is not a mapping", () => {
    expect(parseKindClusterConfig("kind: Cluster\nnodes:\n- role: control-plane\n")).toEqual({
      kind: "Cluster",
      nodes: [{ role: "control-plane" }],
    });
    expect(parseKindClusterConfig("")).toEqual({});
    expect(() => parseKindClusterConfig("- a\n- b\n", "kind.yaml")).toThrow(/kind.yaml is not a YAML mapping/);
    expect(() => parseKindClusterConfig("a: [", "kind.yaml")).toThrow(/kind.yaml is not valid YAML/);
  });
});

describe("the local registry pieces", () => {
  it("default to kind's guide: kind-registry on 127.0.0.1:5001", () => {
    const registry = resolveLocalRegistry(true);
    expect(registry).toEqual({ name: "kind-registry", hostPort: 5001, image: "registry:2" });
    expect(buildRegistryHostsToml(registry)).toBe('[host."http://kind-registry:5000"]\n');
    expect(parse(buildLocalRegistryHostingConfigMap(registry).data["localRegistryHosting.v1"])).toEqual({
      host: "localhost:5001",
      hostFromContainerRuntime: "kind-registry:5000",
      hostFromClusterNetwork: "kind-registry:5000",
      help: "https://kind.sigs.k8s.io/docs/user/local-registry/",
    });
    expect(registryHostsDirectories(registry)).toEqual([
      "/etc/containerd/certs.d/localhost:5001",
      "/etc/containerd/certs.d/kind-registry:5000",
    ]);
  });
});
