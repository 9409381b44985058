import { describe, expect, it } from "vitest";
import { readPostState } from "./state-helper.ts";

describe("readPostState", () => {
  it("reads back what the main step saved", () => {
    const run = {
      namespace: "ci",
      jobName: "pr-pod-x",
      selector: "app.kubernetes.io/managed-by=pr-pod",
      keep: false,
      finished: false,
    };
    expect(
      readPostState({
        STATE_isPost: "true",
        STATE_kubeconfigPath: "/tmp/x/kubeconfig",
        STATE_tempDir: "/tmp/x",
        STATE_run: JSON.stringify(run),
        STATE_kindCluster: JSON.stringify({ name: "pr-pod", kindPath: "/usr/local/bin/kind" }),
      }),
    ).toEqual({
      kubeconfigPath: "/tmp/x/kubeconfig",
      tempDir: "/tmp/x",
      run,
      kindCluster: { name: "pr-pod", kindPath: "/usr/local/bin/kind" },
    });
  });

  it("is empty when the main step failed before saving anything", () => {
    expect(readPostState({ STATE_isPost: "true" })).toEqual({});
  });

  it("ignores a value it cannot parse rather than failing the cleanup", () => {
    expect(readPostState({ STATE_run: "{not json" })).toEqual({});
  });
});
