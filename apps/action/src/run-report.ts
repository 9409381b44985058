// What a finished run becomes on GitHub: the step's outputs, the annotation, and the rows of the job
// summary. Pure: the result in, strings out; main.ts hands them to @actions/core.
import { type BuiltImage, builtImages, listArtifacts, type PrPodReport } from "@pr-pod/file-verifier";
import type { PullRequestContext } from "@pr-pod/pr-context";
import { messageOf, type PreviewStagesResult, type RunResult } from "@pr-pod/runner";

/** One field per action.yml output (a test keeps the two in step). */
export interface Outputs {
  status: string;
  reason: string;
  "job-name": string;
  namespace: string;
  dockerfiles: string;
  images: string;
  report: string;
  duration: string;
  "preview-namespace": string;
  "preview-expires-at": string;
  "deploy-status": string;
  "test-status": string;
  "tests-passed": string;
  "tests-failed": string;
  "tests-skipped": string;
  "failed-tests": string;
  preview: string;
}

/** The CLI's exit codes for a run whose build passed but whose preview failed (apps/cli exit-codes.ts). */
export const PREVIEW_EXIT_CODES = { PreviewDeployFailed: 20, PreviewTestsFailed: 21 } as const;

/** The step's exit code: 0, 20 (preview deploy failed), 21 (preview tests failed), else 1 as any failed step. */
export function exitCodeFor(result: Pick<RunResult, "status" | "reason">): number {
  if (result.status === "succeeded") return 0;
  return PREVIEW_EXIT_CODES[result.reason as keyof typeof PREVIEW_EXIT_CODES] ?? 1;
}

export interface PreviewTestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Failing tests: JUnit cases as "test › case", else the helm test or test Job's name. */
  failedNames: string[];
}

/**
 * Tests counted the way people read them: a test that wrote JUnit XML counts its cases; one that did
 * not counts once (a helm test release or a test Job). A release without test hooks counts as none.
 */
export function previewTestCounts(preview: Pick<PreviewStagesResult, "tests"> | undefined): PreviewTestCounts {
  const counts: PreviewTestCounts = { passed: 0, failed: 0, skipped: 0, failedNames: [] };
  for (const test of preview?.tests?.results ?? []) {
    if (test.junit) {
      counts.passed += test.junit.passed;
      counts.failed += test.junit.failed;
      counts.skipped += test.junit.skipped;
      counts.failedNames.push(...test.junit.failures.map((failure) => `${test.name} › ${failure.name}`));
      // A Job that failed with every case passing (a crash after the report) still failed.
      if (test.status === "failed" && test.junit.failed === 0) {
        counts.failed += 1;
        counts.failedNames.push(test.name);
      }
    } else if (test.status === "passed") {
      counts.passed += 1;
    } else if (test.status === "failed") {
      counts.failed += 1;
      counts.failedNames.push(test.name);
    }
  }
  return counts;
}

function previewTestsLine(preview: PreviewStagesResult | undefined): string {
  const counts = previewTestCounts(preview);
  return `preview tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${counts.failedNames.length > 0 ? ` (failing: ${counts.failedNames.join(", ")})` : ""}`;
}

function stageStatus(preview: PreviewStagesResult | undefined, stage: "deploy" | "test"): string {
  return preview?.stages.find((item) => item.stage === stage)?.status ?? "";
}

/** The preview outputs (empty strings and zeros when the run deployed no preview). */
export function previewOutputsFor(
  preview: PreviewStagesResult | undefined,
): Pick<
  Outputs,
  | "preview-namespace"
  | "preview-expires-at"
  | "deploy-status"
  | "test-status"
  | "tests-passed"
  | "tests-failed"
  | "tests-skipped"
  | "failed-tests"
  | "preview"
> {
  const counts = previewTestCounts(preview);
  return {
    "preview-namespace": preview?.namespace ?? "",
    "preview-expires-at": preview?.expiresAt ?? "",
    "deploy-status": stageStatus(preview, "deploy"),
    "test-status": stageStatus(preview, "test"),
    "tests-passed": String(counts.passed),
    "tests-failed": String(counts.failed),
    "tests-skipped": String(counts.skipped),
    "failed-tests": JSON.stringify(counts.failedNames),
    preview: preview ? JSON.stringify(preview) : "",
  };
}

/** The pod's report when the result carries one the action can read. */
export function reportOf(result: Pick<RunResult, "report">): PrPodReport | undefined {
  const report = result.report;
  if (typeof report !== "object" || report === null) return undefined;
  return (report as { version?: unknown }).version === 1 ? (report as PrPodReport) : undefined;
}

/** The `images` output: file-verifier's typed list (target, context, dockerfile, image, tag, digest, ref...). */
export function builtImagesOf(report: PrPodReport | undefined): BuiltImage[] {
  return report ? builtImages(report) : [];
}

/** Seconds with one decimal, the way people read a step's duration. */
export function formatSeconds(milliseconds: number): string {
  return (Math.round(milliseconds / 100) / 10).toFixed(1);
}

export function actionOutputsFor(result: RunResult): Outputs {
  const report = reportOf(result);
  return {
    status: result.status,
    reason: result.reason,
    "job-name": result.jobName,
    namespace: result.namespace,
    dockerfiles: JSON.stringify(report?.artifacts?.dockerfiles ?? []),
    images: JSON.stringify(builtImagesOf(report)),
    report: result.report === undefined ? "" : JSON.stringify(result.report),
    duration: formatSeconds(result.durationsMs.total),
    ...previewOutputsFor(result.preview),
  };
}

/** `owner/repo#12` */
export function pullRequestName(context: Pick<PullRequestContext, "owner" | "repo" | "number">): string {
  return `${context.owner}/${context.repo}#${context.number}`;
}

/** The annotation for a run that did not succeed; undefined when it did. */
export function failureAnnotationFor(result: RunResult): { title: string; message: string } | undefined {
  if (result.status === "succeeded") return undefined;
  const report = reportOf(result);
  const missing = report?.files?.missing ?? [];
  const details = [
    result.message,
    missing.length > 0 ? `missing files: ${missing.join(", ")}` : "",
    report?.error && !result.message.includes(report.error) ? report.error : "",
    ...(result.preview?.diagnoses ?? []).map(
      (diagnosis) =>
        `${diagnosis.workload} not ready: ${diagnosis.reason}${diagnosis.message ? ` (${diagnosis.message})` : ""}`,
    ),
    ...(result.reason === "PreviewTestsFailed" ? [previewTestsLine(result.preview)] : []),
  ].filter((part) => part !== "");
  return {
    title: `pr-pod ${result.status}: ${result.reason}`,
    message: `${pullRequestName(result.context)}: ${details.join("; ")}`,
  };
}

/** Escapes text for the job summary's HTML: PR titles and file names come from the PR's author. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export type SummaryRow = string[];

export interface JobSummaryContent {
  heading: string;
  /** One line each: the PR, the verdict, the duration. */
  lines: string[];
  tables: Array<{ title: string; header: string[]; rows: SummaryRow[] }>;
}

/** Paths listed in the summary's artifact table; the rest are counted. */
export const SUMMARY_ARTIFACT_LIMIT = 50;

const VERDICT_ICONS: Record<RunResult["status"], string> = { succeeded: "✅", failed: "❌", aborted: "⚠️" };

/** Everything the job summary shows, already HTML-escaped. */
export function jobSummaryFor(result: RunResult): JobSummaryContent {
  const { context } = result;
  const report = reportOf(result);
  const prLink = context.htmlUrl
    ? `<a href="${escapeHtml(context.htmlUrl)}">${escapeHtml(pullRequestName(context))}</a>`
    : escapeHtml(pullRequestName(context));
  const lines = [
    `${prLink} ${escapeHtml(context.title)} (by ${escapeHtml(context.author)}): <code>${escapeHtml(context.headRef)}</code> at <code>${context.headSha.slice(0, 7)}</code> into <code>${escapeHtml(context.baseRef)}</code>${context.isFork ? ", from a fork" : ""}`,
    `${VERDICT_ICONS[result.status]} <strong>${result.status}</strong>: ${escapeHtml(result.reason)} (${escapeHtml(result.message)})`,
    `Job <code>${escapeHtml(result.namespace)}/${escapeHtml(result.jobName)}</code>, ${formatSeconds(result.durationsMs.total)} s`,
  ];
  const tables: JobSummaryContent["tables"] = [];
  if (report?.files) {
    const { files } = report;
    tables.push({
      title: "Files verified",
      header: ["file", "required", "found"],
      rows: [
        ...files.found.map((file) => [file, "yes", "✅"]),
        ...files.missing.map((file) => [file, "yes", "❌ missing"]),
        ...files.optionalFound.map((file) => [file, "no", "✅"]),
        ...files.optionalMissing.map((file) => [file, "no", "—"]),
      ].map((row) => row.map(escapeHtml)),
    });
  }
  if (report?.artifacts) {
    // Bounded like the CLI's text: the step's outputs (dockerfiles, ...) keep every path.
    const listing = listArtifacts(report.artifacts, { max: SUMMARY_ARTIFACT_LIMIT });
    const rows = listing.shown.map(({ kind, path }) => [kind, path].map(escapeHtml));
    if (listing.omitted > 0) rows.push(["…", `and ${listing.omitted} more (the step's outputs list them all)`]);
    if (rows.length > 0) {
      tables.push({ title: `Artifacts found: ${escapeHtml(listing.summary)}`, header: ["kind", "path"], rows });
    }
  }
  if (report?.builds && report.builds.length > 0) {
    tables.push({
      title: "Builds",
      header: ["target", "file", "result", "image", "digest", "cache", "duration"],
      rows: report.builds.map((build) =>
        [
          build.target ?? "",
          build.file,
          build.ok
            ? "✅ built"
            : `❌ ${build.error ?? "failed"}${build.failedStep ? ` at ${build.failedStep}` : ""}${build.logTail?.length ? `: ${build.logTail.slice(-3).join(" / ")}` : ""}`,
          build.image ?? "",
          build.digest ?? (build.digests ?? []).join(" "),
          build.steps ? `${build.cachedSteps ?? 0}/${build.steps} steps cached` : "",
          `${formatSeconds(build.durationMs)} s`,
        ].map(escapeHtml),
      ),
    });
  }
  if (result.preview) tables.push(...previewTables(result.preview));
  return { heading: `pr-pod: ${escapeHtml(pullRequestName(context))} ${result.status}`, lines, tables };
}

const STAGE_ICONS: Record<string, string> = { succeeded: "✅", passed: "✅", failed: "❌", skipped: "➖", none: "➖" };

/** The summary's Deploy and Tests sections: each stage with its status and time, why a deploy was not ready, each test. */
function previewTables(preview: PreviewStagesResult): JobSummaryContent["tables"] {
  const tables: JobSummaryContent["tables"] = [];
  const where = [
    preview.namespace ? `namespace ${preview.namespace}` : "",
    preview.expiresAt ? `kept until ${preview.expiresAt}` : "",
  ].filter(Boolean);
  tables.push({
    title: escapeHtml(`Preview deploy${where.length > 0 ? ` (${where.join(", ")})` : ""}`),
    header: ["stage", "result", "duration", "note"],
    rows: preview.stages.map((stage) =>
      [
        stage.stage,
        `${STAGE_ICONS[stage.status] ?? ""} ${stage.status}`,
        `${formatSeconds(stage.durationMs)} s`,
        stage.message ?? "",
      ].map(escapeHtml),
    ),
  });
  if (preview.diagnoses && preview.diagnoses.length > 0) {
    tables.push({
      title: "Why the preview is not ready",
      header: ["workload", "pod", "reason", "message", "last log lines"],
      rows: preview.diagnoses.map((diagnosis) =>
        [
          diagnosis.workload,
          diagnosis.pod ?? "",
          diagnosis.reason,
          diagnosis.message,
          (diagnosis.lastLogLines ?? []).slice(-5).join(" / "),
        ].map(escapeHtml),
      ),
    });
  }
  const tests = preview.tests?.results ?? [];
  if (tests.length > 0) {
    const counts = previewTestCounts(preview);
    tables.push({
      title: escapeHtml(
        `Preview tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${counts.failedNames.length > 0 ? `; failing: ${counts.failedNames.join(", ")}` : ""}`,
      ),
      header: ["test", "result", "duration", "cases", "why"],
      rows: tests.map((test) =>
        [
          test.name,
          `${STAGE_ICONS[test.status] ?? ""} ${test.status}`,
          `${formatSeconds(test.durationMs)} s`,
          test.junit
            ? `${test.junit.passed} passed, ${test.junit.failed} failed, ${test.junit.skipped} skipped${test.junit.failures.length > 0 ? ` (${test.junit.failures.map((failure) => `${failure.name}: ${failure.message}`).join("; ")})` : ""}`
            : "",
          test.reason ?? "",
        ].map(escapeHtml),
      ),
    });
  }
  return tables;
}

/** The stable code of a pr-pod error (RunnerError, PrContextError, KindClusterError...), else its name. */
export function errorReason(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === "string" && code !== "") return code;
    if (typeof name === "string" && name !== "") return name;
  }
  return "Error";
}

/** What the step reports when no run result came back: the run could not start or broke off. */
export function runErrorReportFor(error: unknown): {
  outputs: Pick<Outputs, "status" | "reason">;
  title: string;
  message: string;
  details: string[];
} {
  const reason = errorReason(error);
  const message = messageOf(error);
  const missing = (error as { missingPermissions?: unknown } | undefined)?.missingPermissions;
  return {
    outputs: { status: "failed", reason },
    title: `pr-pod could not run: ${reason}`,
    message,
    details: Array.isArray(missing) ? missing.map((permission) => `missing permission: ${String(permission)}`) : [],
  };
}
