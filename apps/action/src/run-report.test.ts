import { describe, expect, it } from "vitest";
import { finishedRun, podReport, pullRequestContext } from "../test/fixtures/run-results.ts";
import {
  actionOutputsFor,
  builtImagesOf,
  errorReason,
  escapeHtml,
  exitCodeFor,
  failureAnnotationFor,
  jobSummaryFor,
  previewTestCounts,
  runErrorReportFor,
  SUMMARY_ARTIFACT_LIMIT,
} from "./run-report.ts";

describe("actionOutputsFor", () => {
  it("turns a finished run into the step's outputs", () => {
    const outputs = actionOutputsFor(finishedRun());
    expect(outputs).toMatchObject({
      status: "succeeded",
      reason: "Complete",
      "job-name": "pr-pod-hello-world-7-0123456",
      namespace: "default",
      duration: "12.3",
    });
    expect(JSON.parse(outputs.dockerfiles)).toEqual(["Dockerfile", "web/Dockerfile"]);
    expect(JSON.parse(outputs.images)).toEqual([
      { target: ".", dockerfile: "Dockerfile", context: ".", digest: "sha256:aaaa", pushed: false, durationMs: 1200 },
    ]);
    expect(JSON.parse(outputs.report)).toMatchObject({ version: 1, stage: "done" });
  });

  it("gives empty lists and an empty report when the pod sent none back", () => {
    const outputs = actionOutputsFor(finishedRun({ status: "failed", reason: "ErrImagePull", report: undefined }));
    expect(outputs).toMatchObject({ dockerfiles: "[]", images: "[]", report: "" });
  });
});

describe("builtImagesOf", () => {
  it("lists one image per bake target, with its pushed reference", () => {
    const report = podReport({
      builds: [
        {
          kind: "bake",
          target: "app",
          file: "docker-bake.hcl",
          context: "app",
          ok: true,
          pushed: true,
          image: "r/o/r/app:pr-7-0123456",
          digest: "sha256:1",
          ref: "r/o/r/app@sha256:1",
          durationMs: 1,
        },
        {
          kind: "bake",
          target: "worker",
          file: "docker-bake.hcl",
          context: "worker",
          ok: true,
          pushed: true,
          image: "r/o/r/worker:pr-7-0123456",
          digest: "sha256:2",
          ref: "r/o/r/worker@sha256:2",
          durationMs: 1,
        },
      ],
    });
    expect(builtImagesOf(report).map((image) => [image.target, image.ref])).toEqual([
      ["app", "r/o/r/app@sha256:1"],
      ["worker", "r/o/r/worker@sha256:2"],
    ]);
  });
});

describe("failureAnnotationFor", () => {
  it("says nothing for a run that succeeded", () => {
    expect(failureAnnotationFor(finishedRun())).toBeUndefined();
  });

  it("titles the annotation with the reason and names the missing files", () => {
    const annotation = failureAnnotationFor(
      finishedRun({
        status: "failed",
        reason: "VerifyFailed",
        message: "required files are missing",
        report: podReport({
          ok: false,
          stage: "verify",
          files: { found: ["README.md"], missing: ["Dockerfile"], optionalFound: [], optionalMissing: [] },
        }),
      }),
    );
    expect(annotation).toEqual({
      title: "pr-pod failed: VerifyFailed",
      message: "octo-org/hello-world#7: required files are missing; missing files: Dockerfile",
    });
  });
});

describe("jobSummaryFor", () => {
  it("shows the PR, the verdict and tables of files, artifacts and builds", () => {
    const summary = jobSummaryFor(finishedRun());
    expect(summary.heading).toBe("pr-pod: octo-org/hello-world#7 succeeded");
    expect(summary.lines[1]).toContain("✅ <strong>succeeded</strong>");
    expect(summary.tables.map((table) => table.title)).toEqual([
      "Files verified",
      expect.stringMatching(/^Artifacts found: \d+ Dockerfiles?/),
      "Builds",
    ]);
    expect(summary.tables[2]?.rows).toEqual([
      ["", "Dockerfile", "✅ built", "", "sha256:aaaa", "", "1.2 s"],
      ["", "web/Dockerfile", "❌ exit 1", "", "", "", "0.3 s"],
    ]);
  });

  it("lists the artifacts found with their paths, at most SUMMARY_ARTIFACT_LIMIT of them", () => {
    const dockerfiles = Array.from({ length: SUMMARY_ARTIFACT_LIMIT + 7 }, (_, i) => `svc-${i}/Dockerfile`);
    const artifacts = { dockerfiles, bakeFiles: [], composeFiles: [], charts: ["charts/<app>"] };
    const summary = jobSummaryFor(finishedRun({ report: podReport({ artifacts }) }));
    const table = summary.tables.find((t) => t.title.startsWith("Artifacts found"));
    expect(table?.title).toBe(`Artifacts found: ${SUMMARY_ARTIFACT_LIMIT + 7} Dockerfiles, 1 Helm chart`);
    expect(table?.rows[0]).toEqual(["Dockerfile", "svc-0/Dockerfile"]);
    expect(table?.rows).toHaveLength(SUMMARY_ARTIFACT_LIMIT + 1);
    expect(table?.rows.at(-1)).toEqual(["…", "and 8 more (the step's outputs list them all)"]);
    const few = jobSummaryFor(
      finishedRun({ report: podReport({ artifacts: { ...artifacts, dockerfiles: ["Dockerfile"] } }) }),
    );
    expect(few.tables.find((t) => t.title.startsWith("Artifacts found"))?.rows).toEqual([
      ["Dockerfile", "Dockerfile"],
      ["Helm chart", "charts/&#60;app&#62;"],
    ]);
  });

  it("escapes what the PR's author wrote", () => {
    const summary = jobSummaryFor(
      finishedRun({ context: pullRequestContext({ title: "<img src=x onerror=alert(1)>" }) }),
    );
    expect(summary.lines[0]).not.toContain("<img");
    expect(summary.lines[0]).toContain(escapeHtml("<img src=x onerror=alert(1)>"));
  });
});

describe("runErrorReportFor", () => {
  it("uses the error's stable code as the reason and lists missing permissions", () => {
    const error = Object.assign(new Error("preflight: 1 permission missing in namespace ci"), {
      code: "FORBIDDEN",
      missingPermissions: ["create roles.rbac.authorization.k8s.io in namespace ci"],
    });
    expect(runErrorReportFor(error)).toEqual({
      outputs: { status: "failed", reason: "FORBIDDEN" },
      title: "pr-pod could not run: FORBIDDEN",
      message: "preflight: 1 permission missing in namespace ci",
      details: ["missing permission: create roles.rbac.authorization.k8s.io in namespace ci"],
    });
  });

  it("falls back to the error's name, then to Error", () => {
    expect(errorReason(new TypeError("x"))).toBe("TypeError");
    expect(errorReason("a string")).toBe("Error");
  });
});

const failedTests = {
  status: "tests-failed" as const,
  namespace: "pr-7-hello-world",
  stages: [
    { stage: "deploy" as const, status: "succeeded" as const, durationMs: 2_000 },
    { stage: "test" as const, status: "failed" as const, durationMs: 3_500, message: "failed: api" },
    { stage: "teardown" as const, status: "succeeded" as const, durationMs: 800 },
  ],
  tests: {
    status: "failed" as const,
    durationMs: 3_500,
    results: [
      { name: "helm test app", kind: "helm-test" as const, status: "passed" as const, durationMs: 1_000 },
      { name: "helm test db", kind: "helm-test" as const, status: "none" as const, durationMs: 10 },
      {
        name: "api",
        kind: "job" as const,
        status: "failed" as const,
        durationMs: 2_400,
        reason: "exited with 1",
        junit: {
          tests: 4,
          passed: 2,
          failed: 1,
          skipped: 1,
          failures: [{ name: "items › creates one", message: "expected 201, got <500>" }],
        },
      },
    ],
  },
};

describe("the preview in outputs, summary and exit code", () => {
  it("counts JUnit cases where a test wrote them, else one per test, and names the failures", () => {
    expect(previewTestCounts(failedTests)).toEqual({
      passed: 3,
      failed: 1,
      skipped: 1,
      failedNames: ["api › items › creates one"],
    });
  });

  it("counts a test Job that failed with every JUnit case passing as a failure too", () => {
    const crashed = {
      tests: {
        status: "failed" as const,
        durationMs: 1,
        results: [
          {
            name: "smoke",
            kind: "job" as const,
            status: "failed" as const,
            durationMs: 1,
            junit: { tests: 1, passed: 1, failed: 0, skipped: 0, failures: [] },
          },
        ],
      },
    };
    expect(previewTestCounts(crashed)).toEqual({ passed: 1, failed: 1, skipped: 0, failedNames: ["smoke"] });
  });

  it("sets the preview outputs, and empty ones for a run without a preview", () => {
    const run = finishedRun({ status: "failed", reason: "PreviewTestsFailed", preview: failedTests });
    expect(actionOutputsFor(run)).toMatchObject({
      "preview-namespace": "pr-7-hello-world",
      "preview-expires-at": "",
      "deploy-status": "succeeded",
      "test-status": "failed",
      "tests-passed": "3",
      "tests-failed": "1",
      "tests-skipped": "1",
      "failed-tests": '["api › items › creates one"]',
    });
    expect(JSON.parse(actionOutputsFor(run).preview)).toEqual(failedTests);
    expect(actionOutputsFor(finishedRun())).toMatchObject({
      "preview-namespace": "",
      "deploy-status": "",
      "test-status": "",
      "tests-passed": "0",
      "failed-tests": "[]",
      preview: "",
    });
  });

  it("exits as the CLI does: 20 for a preview that did not deploy, 21 for failed tests, else 1", () => {
    expect(exitCodeFor({ status: "succeeded", reason: "Complete" })).toBe(0);
    expect(exitCodeFor({ status: "failed", reason: "PreviewDeployFailed" })).toBe(20);
    expect(exitCodeFor({ status: "failed", reason: "PreviewTestsFailed" })).toBe(21);
    expect(exitCodeFor({ status: "failed", reason: "BackoffLimitExceeded" })).toBe(1);
    expect(exitCodeFor({ status: "aborted", reason: "Aborted" })).toBe(1);
  });

  it("adds deploy and test sections to the summary, escaped, with the failing tests named", () => {
    const summary = jobSummaryFor(
      finishedRun({ status: "failed", reason: "PreviewTestsFailed", preview: failedTests }),
    );
    const deploy = summary.tables.find((table) => table.title.startsWith("Preview deploy"));
    expect(deploy?.title).toBe("Preview deploy (namespace pr-7-hello-world)");
    expect(deploy?.rows).toEqual([
      ["deploy", "✅ succeeded", "2.0 s", ""],
      ["test", "❌ failed", "3.5 s", "failed: api"],
      ["teardown", "✅ succeeded", "0.8 s", ""],
    ]);
    const tests = summary.tables.find((table) => table.title.startsWith("Preview tests"));
    expect(tests?.title).toBe("Preview tests: 3 passed, 1 failed, 1 skipped; failing: api › items › creates one");
    expect(tests?.rows[2]).toEqual([
      "api",
      "❌ failed",
      "2.4 s",
      "2 passed, 1 failed, 1 skipped (items › creates one: expected 201, got &#60;500&#62;)",
      "exited with 1",
    ]);
  });

  it("says why a deploy was not ready, in the summary and the annotation", () => {
    const preview = {
      status: "deploy-failed" as const,
      namespace: "pr-7-hello-world",
      stages: [
        {
          stage: "deploy" as const,
          status: "failed" as const,
          durationMs: 4_000,
          message: "release app cannot become ready",
        },
        { stage: "test" as const, status: "skipped" as const, durationMs: 0, message: "the deploy failed" },
        { stage: "teardown" as const, status: "succeeded" as const, durationMs: 500 },
      ],
      diagnoses: [
        {
          workload: "deployment/app-web",
          pod: "app-web-x1",
          container: "web",
          reason: "CrashLoopBackOff",
          message: "exited with 1",
          lastLogLines: ["starting", "fatal: DATABASE_URL is not set"],
        },
      ],
    };
    const run = finishedRun({
      status: "failed",
      reason: "PreviewDeployFailed",
      message: "release app cannot become ready",
      preview,
    });
    const why = jobSummaryFor(run).tables.find((table) => table.title === "Why the preview is not ready");
    expect(why?.rows).toEqual([
      [
        "deployment/app-web",
        "app-web-x1",
        "CrashLoopBackOff",
        "exited with 1",
        "starting / fatal: DATABASE_URL is not set",
      ],
    ]);
    expect(failureAnnotationFor(run)).toEqual({
      title: "pr-pod failed: PreviewDeployFailed",
      message: expect.stringContaining("deployment/app-web not ready: CrashLoopBackOff (exited with 1)"),
    });
    expect(actionOutputsFor(run)).toMatchObject({ "deploy-status": "failed", "test-status": "skipped" });
  });
});
