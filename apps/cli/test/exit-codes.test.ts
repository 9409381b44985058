// The exit code table: the README documents every code the CLI can end with, the pod's stage codes
// pass through, and the mapping from errors and run results is pinned here for the cases the
// spawned-binary tests cannot provoke (an image that never pulls, a bug).
import { readFileSync } from "node:fs";
import { PR_POD_EXIT_CODES } from "@pr-pod/k8s-job-builder";
import type { RunResult } from "@pr-pod/runner";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/cli-error.ts";
import { exitCodeForError } from "../src/exit-code-for-error.ts";
import { EXIT_CODES } from "../src/exit-codes.ts";
import { exitCodeForRun } from "../src/run-session.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const documented = new Set(
  [...readme.matchAll(/^\| (\d+)(?:–(\d+))?\s*\|/gm)].flatMap(([, from, to]) => {
    const first = Number(from);
    const last = to ? Number(to) : first;
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  }),
);

function result(overrides: Partial<RunResult>): RunResult {
  return {
    status: "failed",
    reason: "BackoffLimitExceeded",
    message: "",
    namespace: "default",
    jobName: "pr-pod-app-1-abcdef0",
    context: {} as RunResult["context"],
    durationsMs: { total: 1 },
    ...overrides,
  };
}

describe("the README's exit code table", () => {
  it("documents every code of the CLI's own", () => {
    for (const code of Object.values(EXIT_CODES)) expect(documented, `exit code ${code}`).toContain(code);
  });

  it("documents every failing stage code the pod can end with", () => {
    for (const entry of PR_POD_EXIT_CODES.filter((e) => e.code !== 0)) {
      expect(documented, `${entry.name} (${entry.code})`).toContain(entry.code);
    }
  });
});

describe("a finished run's exit code", () => {
  it("is 0 on success, 130 after Ctrl-C, 143 after SIGTERM", () => {
    expect(exitCodeForRun(result({ status: "succeeded", reason: "Complete" }))).toBe(0);
    expect(exitCodeForRun(result({ status: "aborted", reason: "Aborted" }), { received: "SIGINT" })).toBe(130);
    expect(exitCodeForRun(result({ status: "aborted", reason: "Aborted" }), { received: "SIGTERM" })).toBe(143);
  });

  it("passes the pod's stage code through", () => {
    for (const entry of PR_POD_EXIT_CODES.filter((e) => e.code !== 0 && e.name !== "TERMINATED")) {
      expect(exitCodeForRun(result({ exitCode: entry.code }))).toBe(entry.code);
    }
  });

  it("is 20 when the preview did not deploy and 21 when its tests failed", () => {
    expect(exitCodeForRun(result({ reason: "PreviewDeployFailed", exitCode: 0 }))).toBe(20);
    expect(exitCodeForRun(result({ reason: "PreviewTestsFailed", exitCode: 0 }))).toBe(21);
  });

  it("is 124 when the deadline passed, whatever the pod's code", () => {
    expect(exitCodeForRun(result({ reason: "DeadlineExceeded", exitCode: 143 }))).toBe(124);
  });

  it("is 1 for a failure without a stage: an image that never pulls", () => {
    expect(exitCodeForRun(result({ reason: "ErrImagePull" }))).toBe(1);
    expect(exitCodeForRun(result({ reason: "Error", exitCode: 137 }))).toBe(1);
  });
});

describe("an error's exit code", () => {
  it("follows the library error's code, then HTTP status, then network errno; anything else is a bug (70)", () => {
    const coded = (code: string | number) => Object.assign(new Error("x"), { code });
    expect(exitCodeForError(new CliError("USAGE", "x"))).toBe(64);
    expect(exitCodeForError(coded("NO_TOKEN"))).toBe(78);
    expect(exitCodeForError(coded("PR_NOT_FOUND"))).toBe(65);
    expect(exitCodeForError(coded("GITHUB_UNAUTHORIZED"))).toBe(68);
    expect(exitCodeForError(coded("CLUSTER_UNREACHABLE"))).toBe(69);
    expect(exitCodeForError(coded("FORBIDDEN"))).toBe(77);
    expect(exitCodeForError(coded("TIMEOUT"))).toBe(124);
    expect(exitCodeForError(coded(403))).toBe(77);
    expect(exitCodeForError(new Error("wrapped", { cause: coded("ECONNREFUSED") }))).toBe(69);
    expect(exitCodeForError(new TypeError("undefined is not a function"))).toBe(70);
  });
});
