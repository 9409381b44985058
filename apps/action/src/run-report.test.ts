import { describe, expect, it } from "vitest";
import { finishedRun, podReport, pullRequestContext } from "../test/fixtures/run-results.ts";
import {
  actionOutputsFor,
  builtImagesOf,
  errorReason,
  escapeHtml,
  failureAnnotationFor,
  jobSummaryFor,
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
