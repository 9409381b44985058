// The pure part: what GitHub shows, within GitHub's limits.
import { describe, expect, it } from "vitest";
import {
  annotationsFor,
  CHECK_TEXT_MAX,
  checkConclusionOf,
  commentMarker,
  finalCheckRunOutput,
  finalStatusPayload,
  renderCommentBody,
  renderLogText,
  renderSummaryMarkdown,
} from "../src/index.ts";
import { missingFileOutcome, passingOutcome } from "./fixtures.ts";

describe("commit status payloads", () => {
  it("say success with a one-line description of at most 140 characters", () => {
    const long = { ...passingOutcome(), message: "word ".repeat(100) };
    const payload = finalStatusPayload(long, "pr-pod/build", "https://ci.example/run/1");
    expect(payload).toMatchObject({
      state: "success",
      context: "pr-pod/build",
      target_url: "https://ci.example/run/1",
    });
    expect(payload.description.length).toBeLessThanOrEqual(140);
    expect(payload.description).toMatch(/^pr-pod passed in 18 s: word word/);
    expect(payload.description.endsWith("…")).toBe(true);
  });

  it("map failed to failure, aborted and errors to error, and timeouts to timed_out for check runs", () => {
    expect(finalStatusPayload(missingFileOutcome(), "pr-pod").state).toBe("failure");
    expect(finalStatusPayload({ ...passingOutcome(), status: "aborted" }, "pr-pod").state).toBe("error");
    expect(checkConclusionOf({ ...passingOutcome(), status: "aborted" })).toBe("cancelled");
    expect(checkConclusionOf({ ...missingFileOutcome(), reason: "DeadlineExceeded" })).toBe("timed_out");
  });
});

describe("the Markdown summary", () => {
  it("lists the files verified, what there is to build, and each build with its digest", () => {
    const summary = renderSummaryMarkdown(passingOutcome(), { targetUrl: "https://ci.example/run/1" });
    expect(summary).toContain("**✅ pr-pod passed**");
    expect(summary).toContain("- required, found: `package.json`, `README.md`, `Dockerfile`");
    expect(summary).toContain("- Helm charts: `charts/app`");
    expect(summary).toContain(
      "| `Dockerfile` | ✅ built | `sha256:9b2c5f1d0e4a7b3c6d8e1f2a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c` | 12.4 s |",
    );
    expect(summary).toContain("[Details](https://ci.example/run/1)");
  });

  it("renders deploy and test stages when the result has them", () => {
    const outcome = passingOutcome();
    (outcome.report as Record<string, unknown>).deploy = {
      ok: true,
      release: "pr-7",
      namespace: "preview-7",
      url: "https://pr-7.preview.test",
    };
    (outcome.report as Record<string, unknown>).test = { ok: false, passed: 11, failed: 1, failures: ["GET /health"] };
    const summary = renderSummaryMarkdown(outcome);
    expect(summary).toContain("### Deploy ✅");
    expect(summary).toContain("- url: https://pr-7.preview.test");
    expect(summary).toContain("### Test ❌");
    expect(summary).toContain("- failures: `GET /health`");
  });

  it("renders the runner's preview stages and tests when the run deployed a preview", () => {
    const outcome = {
      ...passingOutcome(),
      preview: {
        status: "tests-failed",
        namespace: "pr-7-app",
        stages: [
          { stage: "deploy", status: "succeeded", durationMs: 8200 },
          { stage: "test", status: "failed", durationMs: 3100, message: "1 of 2 tests failed" },
        ],
        tests: {
          status: "failed",
          results: [
            { name: "helm test app", status: "passed", durationMs: 1200 },
            { name: "smoke", status: "failed", durationMs: 1900, reason: "exit code 1: GET /health answered 503" },
          ],
        },
      },
    };
    const summary = renderSummaryMarkdown(outcome);
    expect(summary).toContain("### Preview ❌");
    expect(summary).toContain("namespace `pr-7-app`");
    expect(summary).toContain("| deploy | ✅ succeeded | 8.2 s |  |");
    expect(summary).toContain("| test | ❌ failed | 3.1 s | 1 of 2 tests failed |");
    expect(summary).toContain("| smoke | ❌ failed | 1.9 s | exit code 1: GET /health answered 503 |");
  });

  it("names the missing file and the stage a failed run stopped at", () => {
    const summary = renderSummaryMarkdown(missingFileOutcome());
    expect(summary).toContain("**❌ pr-pod failed (VerificationFailed)**");
    expect(summary).toContain("stopped at stage `verify`");
    expect(summary).toContain("- required, **missing**: `Dockerfile`");
  });
});

describe("the check run's text and annotations", () => {
  it("keeps the newest log lines within 65,535 characters and says how many were left out", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const text = renderLogText(lines)!;
    expect(text.length).toBeLessThanOrEqual(CHECK_TEXT_MAX);
    expect(text).toContain(`line 4999 ${"x".repeat(40)}`);
    expect(text).not.toContain("line 0 ");
    expect(text).toMatch(/\(\d+ earlier lines left out\)/);
  });

  it("annotates a missing required file, and not a glob pattern", () => {
    const outcome = missingFileOutcome();
    (outcome.report as { files: { missing: string[] } }).files.missing.push("charts/*/Chart.yaml");
    expect(annotationsFor(outcome)).toEqual([
      expect.objectContaining({
        path: "Dockerfile",
        start_line: 1,
        annotation_level: "failure",
        title: "required file missing",
      }),
    ]);
    expect(finalCheckRunOutput(outcome, ["a"]).annotations).toHaveLength(1);
  });
});

it("puts the hidden marker of its context at the top of the PR comment", () => {
  const body = renderCommentBody(passingOutcome(), "pr-pod/e2e");
  expect(body.startsWith(commentMarker("pr-pod/e2e"))).toBe(true);
  expect(commentMarker("pr-pod/e2e")).toBe('<!-- pr-pod:feedback context="pr-pod/e2e" -->');
});
