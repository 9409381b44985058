// The verdict on a pod's report: did the files the caller expects exist, and did every build succeed.
import { type FileSpec, normalizeFileSpec } from "./file-spec.ts";
import type { BuildResult, PrPodReport } from "./pr-pod-report.ts";

export interface ReportExpectations {
  /** Files that must be in the report as found (default: whatever the pod checked). Ignored for a truncated report. */
  files?: FileSpec | readonly string[];
  /** Fail when a build failed. Default true. */
  buildsMustSucceed?: boolean;
  /** Fail unless at least one Dockerfile/bake file was found. Default false. */
  requireArtifacts?: boolean;
}

export interface ReportVerdict {
  passed: boolean;
  /** Required patterns that are missing (or that the pod never checked). */
  missing: string[];
  failedBuilds: BuildResult[];
  /** One sentence per reason for failing; empty when passed. */
  reasons: string[];
}

export function evaluate(report: PrPodReport, expectations: ReportExpectations = {}): ReportVerdict {
  const reasons: string[] = [];
  const found = new Set(report.files?.found ?? []);
  // The short (truncated) form carries no found list: only what the pod itself saw missing is known.
  const missing =
    expectations.files && !report.truncated
      ? normalizeFileSpec(expectations.files).required.filter((pattern) => !found.has(pattern))
      : [...(report.files?.missing ?? [])];
  if (!report.ok || report.exitCode !== 0) {
    reasons.push(
      `the pod failed in stage "${report.stage}" with exit code ${report.exitCode}${report.error ? `: ${report.error}` : ""}`,
    );
  }
  if (missing.length > 0) reasons.push(`missing required files: ${missing.join(", ")}`);
  const failedBuilds = (report.builds ?? []).filter((build) => !build.ok);
  if (expectations.buildsMustSucceed !== false && failedBuilds.length > 0) {
    reasons.push(`builds failed: ${failedBuilds.map((b) => `${b.file}${b.error ? ` (${b.error})` : ""}`).join(", ")}`);
  }
  if (expectations.requireArtifacts) {
    const count = (report.artifacts?.dockerfiles.length ?? 0) + (report.artifacts?.bakeFiles.length ?? 0);
    if (count === 0) reasons.push("no Dockerfile or bake file found in the pull request");
  }
  return { passed: reasons.length === 0, missing, failedBuilds, reasons };
}
