import type { V1Container, V1EnvVar, V1Pod, V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { expandKubernetesVariables, resolveContainerEnv } from "./container-env.ts";

const pod: V1Pod = {
  metadata: {
    name: "pr-pod-42-abc",
    namespace: "ci",
    uid: "0f0e0d0c-0000-4000-8000-000000000001",
    labels: { "job-name": "pr-pod-42", app: "pr-pod" },
    annotations: { "pr-pod.dev/sha": "deadbeef" },
  },
  spec: { nodeName: "test-node", serviceAccountName: "pr-pod-runner", containers: [] },
  status: { podIP: "10.0.0.7", podIPs: [{ ip: "10.0.0.7" }, { ip: "fd00::7" }], hostIP: "192.168.0.2" },
};

const secrets: Record<string, V1Secret> = {
  "gh-token": { data: { token: Buffer.from("ghp_testtesttesttesttesttesttesttest1234").toString("base64") } },
  settings: {
    data: { MODE: Buffer.from("fast").toString("base64"), REF: Buffer.from("$(MODE)").toString("base64") },
    stringData: { LEVEL: "3" },
  },
};
const getSecret = (name: string) => secrets[name];

function envOf(container: Partial<V1Container>) {
  return resolveContainerEnv(pod, { name: "build", ...container }, getSecret);
}
function valuesOf(env: V1EnvVar[], envFrom?: V1Container["envFrom"]) {
  const result = envOf({ env, ...(envFrom ? { envFrom } : {}) });
  if ("error" in result) throw new Error(result.error.message);
  return result.env;
}

describe("resolveContainerEnv", () => {
  it("expands $(VAR) from variables defined earlier and leaves unknown or later ones as written", () => {
    const env = valuesOf([
      { name: "A", value: "one" },
      { name: "B", value: "$(A)-two" },
      { name: "C", value: "$(LATER) $(MISSING) $$(A) $A" },
      { name: "LATER", value: "late" },
      { name: "SELF", value: "$(SELF)x" },
      { name: "EMPTY" },
    ]);
    expect(env).toEqual({
      A: "one",
      B: "one-two",
      C: "$(LATER) $(MISSING) $(A) $A",
      LATER: "late",
      SELF: "$(SELF)x",
      EMPTY: "",
    });
  });

  it("applies envFrom before env, and a later entry with the same name wins", () => {
    const env = valuesOf(
      [
        { name: "MODE", value: "slow" },
        { name: "X", value: "first" },
        { name: "X", value: "second $(LEVEL)" },
      ],
      [{ secretRef: { name: "settings" } }],
    );
    expect(env).toEqual({ MODE: "slow", REF: "$(MODE)", LEVEL: "3", X: "second 3" });
  });

  it("prefixes envFrom keys, skips an optional missing secret and fails on a required one", () => {
    expect(
      valuesOf(
        [],
        [{ secretRef: { name: "settings" }, prefix: "CFG_" }, { secretRef: { name: "gone", optional: true } }],
      ),
    ).toEqual({ CFG_MODE: "fast", CFG_REF: "$(MODE)", CFG_LEVEL: "3" });
    expect(envOf({ envFrom: [{ secretRef: { name: "gone" } }] })).toEqual({
      error: { reason: "CreateContainerConfigError", message: 'secret "gone" not found' },
    });
  });

  it("reads secretKeyRef values and never expands $(VAR) inside them", () => {
    const env = valuesOf([
      { name: "MODE", value: "x" },
      { name: "GITHUB_TOKEN", valueFrom: { secretKeyRef: { name: "gh-token", key: "token" } } },
      { name: "REF", valueFrom: { secretKeyRef: { name: "settings", key: "REF" } } },
    ]);
    expect(env).toEqual({ MODE: "x", GITHUB_TOKEN: "ghp_testtesttesttesttesttesttesttest1234", REF: "$(MODE)" });
  });

  it("reports a missing secret or key with the kubelet's words, unless the reference is optional", () => {
    expect(envOf({ env: [{ name: "T", valueFrom: { secretKeyRef: { name: "nope", key: "token" } } }] })).toEqual({
      error: { reason: "CreateContainerConfigError", message: 'secret "nope" not found' },
    });
    expect(envOf({ env: [{ name: "T", valueFrom: { secretKeyRef: { name: "gh-token", key: "pat" } } }] })).toEqual({
      error: { reason: "CreateContainerConfigError", message: "couldn't find key pat in Secret ci/gh-token" },
    });
    expect(
      valuesOf([
        { name: "T1", valueFrom: { secretKeyRef: { name: "nope", key: "token", optional: true } } },
        { name: "T2", valueFrom: { secretKeyRef: { name: "gh-token", key: "pat", optional: true } } },
      ]),
    ).toEqual({});
  });

  it("resolves the downward API fields an env var may select", () => {
    const field = (fieldPath: string): V1EnvVar => ({ name: fieldPath, valueFrom: { fieldRef: { fieldPath } } });
    const env = valuesOf(
      [
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "metadata.labels['job-name']",
        "metadata.annotations['pr-pod.dev/sha']",
        "metadata.labels['absent']",
        "spec.nodeName",
        "spec.serviceAccountName",
        "status.podIP",
        "status.podIPs",
        "status.hostIP",
        "spec.terminationGracePeriodSeconds",
      ].map(field),
    );
    expect(env).toEqual({
      "metadata.name": "pr-pod-42-abc",
      "metadata.namespace": "ci",
      "metadata.uid": "0f0e0d0c-0000-4000-8000-000000000001",
      "metadata.labels['job-name']": "pr-pod-42",
      "metadata.annotations['pr-pod.dev/sha']": "deadbeef",
      "metadata.labels['absent']": "",
      "spec.nodeName": "test-node",
      "spec.serviceAccountName": "pr-pod-runner",
      "status.podIP": "10.0.0.7",
      "status.podIPs": "10.0.0.7,fd00::7",
      "status.hostIP": "192.168.0.2",
      "spec.terminationGracePeriodSeconds": "30",
    });
    const errorOf = (fieldPath: string) => envOf({ env: [field(fieldPath)] });
    expect(errorOf("status.phase")).toEqual({
      error: { reason: "CreateContainerConfigError", message: "unsupported fieldPath: status.phase" },
    });
    expect(errorOf("spec.containers")).toEqual({
      error: { reason: "CreateContainerConfigError", message: "field label not supported: spec.containers" },
    });
    expect(errorOf("metadata.name['x']")).toEqual({
      error: {
        reason: "CreateContainerConfigError",
        message: "field label does not support subscript: metadata.name['x']",
      },
    });
  });

  it("says which reference the host runtime cannot resolve", () => {
    const result = envOf({ env: [{ name: "CM", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] });
    expect(result).toEqual({
      error: {
        reason: "CreateContainerConfigError",
        message: "env CM: valueFrom.configMapKeyRef is not supported by the host runtime; use value or secretKeyRef",
      },
    });
  });
});

describe("expandKubernetesVariables", () => {
  const vars = { A: "a", EMPTY: "" };
  it.each([
    ["$(A)", "a"],
    ["$(EMPTY)x", "x"],
    ["$$(A)", "$(A)"],
    ["$$$(A)", "$a"],
    ["$$", "$"],
    ["$", "$"],
    ["x$", "x$"],
    ["$A $B", "$A $B"],
    ["$(A", "$(A"],
    ["$($(A))", "$($(A))"],
    ["echo $(git rev-parse HEAD)", "echo $(git rev-parse HEAD)"],
    ["$()", "$()"],
  ])("expands %j to %j", (input, expected) => {
    expect(expandKubernetesVariables(input, vars)).toBe(expected);
  });
});
