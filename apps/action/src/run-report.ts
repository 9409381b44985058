// What a finished run becomes on GitHub: the step's outputs, the annotation, and the rows of the job
// summary. Pure: the result in, strings out; main.ts hands them to @actions/core.
import { type BuiltImage, builtImages, listArtifacts, type PrPodReport } from "@pr-pod/file-verifier";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { RunResult } from "@pr-pod/runner";

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
  return { heading: `pr-pod: ${escapeHtml(pullRequestName(context))} ${result.status}`, lines, tables };
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
  const message = error instanceof Error ? error.message : String(error);
  const missing = (error as { missingPermissions?: unknown } | undefined)?.missingPermissions;
  return {
    outputs: { status: "failed", reason },
    title: `pr-pod could not run: ${reason}`,
    message,
    details: Array.isArray(missing) ? missing.map((permission) => `missing permission: ${String(permission)}`) : [],
  };
}
