import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pullRequestContext } from "../test/fixtures/run-results.ts";
import { workflowCommands } from "../test/support/action-process.ts";
import { RunLog } from "./run-log.ts";

let printed: string;

beforeEach(() => {
  printed = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("RunLog", () => {
  it("prints the pod's log in its own group with workflow commands stopped", () => {
    const log = new RunLog();
    log.start();
    log.render({ type: "resolved-context", context: pullRequestContext() });
    log.render({ type: "pod-scheduled", podName: "pr-pod-abc", nodeName: "node-1" });
    log.render({ type: "log-line", line: "::add-mask::not-a-secret" });
    log.render({ type: "log-line", line: "::error::the PR says it failed" });
    log.render({ type: "finished", result: {} as never });
    log.close();

    const lines = printed.trimEnd().split("\n");
    expect(lines[0]).toBe("::group::Run");
    expect(lines).toContain("::group::Pod log (pr-pod-abc on node-1)");
    const stop = lines.find((line) => line.startsWith("::stop-commands::")) ?? "";
    const resume = `::${stop.slice("::stop-commands::".length)}::`;
    expect(stop).toMatch(/^::stop-commands::pr-pod-[0-9a-f-]{36}$/);
    expect(lines.slice(lines.indexOf(stop) + 1, lines.indexOf(resume))).toEqual([
      "::add-mask::not-a-secret",
      "::error::the PR says it failed",
    ]);
    // What the runner would act on: the groups, nothing from the pod.
    expect(workflowCommands(printed).map((command) => command.command)).toEqual([
      "group",
      "endgroup",
      "group",
      "endgroup",
    ]);
  });

  it("tells its hooks about the PR, the namespace and the Job", () => {
    const onContext = vi.fn();
    const onNamespace = vi.fn();
    const onJobCreated = vi.fn();
    const log = new RunLog({ onContext, onNamespace, onJobCreated });
    log.render({ type: "resolved-context", context: pullRequestContext() });
    log.render({ type: "preflight", namespace: "ci", checks: ["API server answered"] });
    log.render({ type: "created", kind: "Secret", name: "pr-pod-x", namespace: "ci" });
    log.render({ type: "created", kind: "Job", name: "pr-pod-x", namespace: "ci" });
    expect(onContext).toHaveBeenCalledWith(pullRequestContext());
    expect(onNamespace).toHaveBeenCalledExactlyOnceWith("ci");
    expect(onJobCreated).toHaveBeenCalledExactlyOnceWith("ci", "pr-pod-x");
  });

  it("follows a reused Job like a created one, and turns runner warnings into warnings", () => {
    const onJobCreated = vi.fn();
    const log = new RunLog({ onJobCreated });
    log.render({ type: "reused", kind: "Job", name: "pr-pod-x", namespace: "ci" });
    log.render({ type: "warning", message: "could not delete Job ci/pr-pod-x" });
    expect(onJobCreated).toHaveBeenCalledExactlyOnceWith("ci", "pr-pod-x");
    expect(printed).toContain("::warning::could not delete Job ci/pr-pod-x");
  });

  it("tells the main step when a preview starts, and when its teardown settled it (not when the teardown failed)", () => {
    const started = vi.fn();
    const settled = vi.fn();
    const log = new RunLog({ onPreviewStarted: started, onPreviewSettled: settled });
    const stage = (name: "deploy" | "test" | "teardown") => ({
      type: "stage-started" as const,
      stage: name,
      namespace: "pr-7-app",
    });
    const finished = (name: "deploy" | "teardown", status: "succeeded" | "failed" | "skipped") => ({
      type: "stage-finished" as const,
      result: { stage: name, status, durationMs: 1 },
    });
    log.render({ type: "preview", event: stage("deploy") });
    expect(started).toHaveBeenCalledExactlyOnceWith("pr-7-app");
    log.render({ type: "preview", event: finished("deploy", "succeeded") });
    log.render({ type: "preview", event: stage("teardown") });
    log.render({ type: "preview", event: finished("teardown", "failed") });
    expect(settled).not.toHaveBeenCalled();
    log.render({ type: "preview", event: finished("teardown", "skipped") });
    expect(settled).toHaveBeenCalledOnce();
    expect(printed).toContain("preview deploy started in namespace pr-7-app");
  });
});
