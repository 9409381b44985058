// Pure: turns a run's outcome into what GitHub shows on the pull request. Commit status payloads
// (https://docs.github.com/en/rest/commits/statuses, description at most 140 characters), check run
// payloads (https://docs.github.com/en/rest/checks/runs: Markdown summary and text at most 65,535
// characters each, at most 50 annotations per request) and the PR comment with its hidden marker.
import type { BuildResult, PrPodReport } from "@pr-pod/file-verifier";

/** What a run ended with: the runner's RunResult fits it, and so does a run that threw ("error"). */
export interface RunOutcome {
  status: "succeeded" | "failed" | "aborted" | "error";
  /** Job condition reason or cause: DeadlineExceeded, VerificationFailed, ErrImagePull... */
  reason: string;
  /** One human sentence, already redacted. */
  message: string;
  exitCode?: number;
  /** The pod's report (file-verifier's PrPodReport), plus deploy/test sections when a run has them. */
  report?: unknown;
  durationsMs?: { total: number; pod?: number };
  namespace?: string;
  jobName?: string;
  /** The runner's preview stages (deploy, test, teardown), when the run deployed a preview. */
  preview?: PreviewOutcome;
}

/** The shape of the runner's PreviewStagesResult that the summary shows (kept structural: no runner import). */
export interface PreviewOutcome {
  status: string;
  namespace?: string;
  stages?: Array<{ stage: string; status: string; durationMs: number; message?: string }>;
  diagnoses?: Array<{ workload: string; reason: string; message: string }>;
  tests?: { status: string; results?: Array<{ name: string; status: string; durationMs: number; reason?: string }> };
  expiresAt?: string;
}

export type CommitState = "pending" | "success" | "failure" | "error";
export type CheckConclusion =
  | "success"
  | "failure"
  | "cancelled"
  | "timed_out"
  | "neutral"
  | "action_required"
  | "skipped";

export interface CommitStatusPayload {
  state: CommitState;
  description: string;
  context: string;
  target_url?: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title?: string;
  message: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckAnnotation[];
}

/** GitHub's limits. */
export const STATUS_DESCRIPTION_MAX = 140;
export const CHECK_TEXT_MAX = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/** The hidden marker that finds a pipeline's comment again on the next run. */
export function commentMarker(context: string): string {
  return `<!-- pr-pod:feedback context=${JSON.stringify(context)} -->`;
}

/** Cuts text to `max` characters with an ellipsis, on one line. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function reportOf(outcome: RunOutcome): Partial<PrPodReport> & Record<string, unknown> {
  return typeof outcome.report === "object" && outcome.report !== null
    ? (outcome.report as Partial<PrPodReport> & Record<string, unknown>)
    : {};
}

export function commitStateOf(outcome: RunOutcome): CommitState {
  if (outcome.status === "succeeded") return "success";
  if (outcome.status === "failed") return "failure";
  return "error";
}

export function checkConclusionOf(outcome: RunOutcome): CheckConclusion {
  if (outcome.status === "succeeded") return "success";
  if (outcome.status === "aborted") return "cancelled";
  if (outcome.reason === "DeadlineExceeded") return "timed_out";
  return "failure";
}

function headline(outcome: RunOutcome): string {
  switch (outcome.status) {
    case "succeeded":
      return "passed";
    case "failed":
      return `failed (${outcome.reason})`;
    case "aborted":
      return "was cancelled";
    case "error":
      return "could not run";
  }
}

/** The one line a commit status or check title shows. */
export function describeOutcome(outcome: RunOutcome, max = STATUS_DESCRIPTION_MAX): string {
  const seconds = outcome.durationsMs ? ` in ${Math.round(outcome.durationsMs.total / 1000)} s` : "";
  return oneLine(`pr-pod ${headline(outcome)}${seconds}: ${outcome.message}`, max);
}

export function pendingStatusPayload(context: string, targetUrl?: string): CommitStatusPayload {
  return {
    state: "pending",
    description: "pr-pod is running the pull request's build",
    context,
    ...(targetUrl ? { target_url: targetUrl } : {}),
  };
}

export function finalStatusPayload(outcome: RunOutcome, context: string, targetUrl?: string): CommitStatusPayload {
  return {
    state: commitStateOf(outcome),
    description: describeOutcome(outcome),
    context,
    ...(targetUrl ? { target_url: targetUrl } : {}),
  };
}

const mark = (ok: boolean | undefined) => (ok === undefined ? "—" : ok ? "✅" : "❌");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function buildRows(builds: BuildResult[]): string[] {
  const rows = ["| build | result | digest | time |", "| --- | --- | --- | --- |"];
  for (const build of builds) {
    const digest = build.digest ?? build.digests?.join(", ") ?? "";
    const result = build.ok ? "✅ built" : `❌ ${cell(oneLine(build.error ?? "failed", 120))}`;
    rows.push(
      `| ${code(build.file)}${build.kind === "bake" ? " (bake)" : ""} | ${result} | ${digest ? code(digest) : "—"} | ${(build.durationMs / 1000).toFixed(1)} s |`,
    );
  }
  return rows;
}

/**
 * A stage another part of pr-pod adds to the report (deploy, test): rendered from its own fields,
 * so a new stage shows up without this package knowing its shape. `ok` gives the mark.
 */
function extraStage(name: string, value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  const lines = [
    `### ${name[0]!.toUpperCase()}${name.slice(1)} ${mark(typeof record.ok === "boolean" ? record.ok : undefined)}`,
    "",
  ];
  for (const [key, field] of Object.entries(record)) {
    if (key === "ok") continue;
    if (typeof field === "string" || typeof field === "number" || typeof field === "boolean") {
      lines.push(`- ${key}: ${typeof field === "string" ? cell(oneLine(field, 300)) : String(field)}`);
    } else if (Array.isArray(field) && field.every((item) => typeof item === "string" || typeof item === "number")) {
      lines.push(`- ${key}: ${field.map((item) => code(String(item))).join(", ") || "none"}`);
    } else if (Array.isArray(field)) {
      lines.push(`- ${key}: ${field.length}`);
    }
  }
  lines.push("");
  return lines;
}

const stageMark = (status: string) =>
  status === "succeeded" || status === "passed" ? "✅" : status === "skipped" || status === "none" ? "➖" : "❌";

/** The preview's deploy, test and teardown stages, its tests, and why a deploy was not ready. */
function previewRows(preview: PreviewOutcome): string[] {
  const lines = [`### Preview ${preview.status === "succeeded" ? "✅" : "❌"}`, ""];
  const where = [
    preview.namespace ? `namespace ${code(preview.namespace)}` : "",
    preview.expiresAt ? `kept until ${preview.expiresAt}` : "",
  ].filter(Boolean);
  if (where.length > 0) lines.push(where.join(" · "), "");
  if (preview.stages && preview.stages.length > 0) {
    lines.push("| stage | result | time | note |", "| --- | --- | --- | --- |");
    for (const stage of preview.stages) {
      lines.push(
        `| ${stage.stage} | ${stageMark(stage.status)} ${stage.status} | ${(stage.durationMs / 1000).toFixed(1)} s | ${cell(oneLine(stage.message ?? "", 200))} |`,
      );
    }
    lines.push("");
  }
  const tests = preview.tests?.results ?? [];
  if (tests.length > 0) {
    lines.push("| test | result | time | why |", "| --- | --- | --- | --- |");
    for (const test of tests) {
      lines.push(
        `| ${cell(test.name)} | ${stageMark(test.status)} ${test.status} | ${(test.durationMs / 1000).toFixed(1)} s | ${cell(oneLine(test.reason ?? "", 200))} |`,
      );
    }
    lines.push("");
  }
  for (const diagnosis of preview.diagnoses ?? []) {
    lines.push(
      `- ${code(diagnosis.workload)} not ready: ${diagnosis.reason} — ${cell(oneLine(diagnosis.message, 300))}`,
    );
  }
  if ((preview.diagnoses ?? []).length > 0) lines.push("");
  return lines;
}

export interface SummaryOptions {
  /** Link shown as "Details" (workflow run, service page). */
  targetUrl?: string;
  /** The pipeline's name (the status context). */
  context?: string;
}

/** The check run's Markdown summary (and the body of the PR comment): what was verified and built. */
export function renderSummaryMarkdown(outcome: RunOutcome, options: SummaryOptions = {}): string {
  const report = reportOf(outcome);
  const lines: string[] = [];
  lines.push(
    `**${mark(outcome.status === "succeeded")} pr-pod ${headline(outcome)}** — ${cell(oneLine(outcome.message, 500))}`,
    "",
  );
  const facts: string[] = [];
  if (report.sha)
    facts.push(
      `commit ${code(report.sha.slice(0, 12))}${report.checkout === "merge" ? " (merged onto the base)" : ""}`,
    );
  if (report.stage && !report.ok) facts.push(`stopped at stage ${code(report.stage)}`);
  if (outcome.exitCode !== undefined) facts.push(`exit code ${outcome.exitCode}`);
  if (outcome.durationsMs) {
    facts.push(
      `took ${(outcome.durationsMs.total / 1000).toFixed(1)} s${outcome.durationsMs.pod !== undefined ? ` (pod ${(outcome.durationsMs.pod / 1000).toFixed(1)} s)` : ""}`,
    );
  }
  if (outcome.jobName) facts.push(`Job ${code(`${outcome.namespace ?? "default"}/${outcome.jobName}`)}`);
  if (facts.length > 0) lines.push(facts.join(" · "), "");
  if (report.files) {
    const { found, missing, optionalFound, optionalMissing } = report.files;
    lines.push(`### Files ${mark(missing.length === 0)}`, "");
    lines.push(`- required, found: ${found.map(code).join(", ") || "none"}`);
    if (missing.length > 0) lines.push(`- required, **missing**: ${missing.map(code).join(", ")}`);
    if (optionalFound.length > 0) lines.push(`- optional, found: ${optionalFound.map(code).join(", ")}`);
    if (optionalMissing.length > 0) lines.push(`- optional, missing: ${optionalMissing.map(code).join(", ")}`);
    lines.push("");
  }
  if (report.artifacts) {
    const a = report.artifacts;
    lines.push("### What there is to build", "");
    lines.push(`- Dockerfiles: ${a.dockerfiles.map(code).join(", ") || "none"}`);
    if (a.bakeFiles.length > 0) lines.push(`- bake files: ${a.bakeFiles.map(code).join(", ")}`);
    if (a.composeFiles.length > 0) lines.push(`- compose files: ${a.composeFiles.map(code).join(", ")}`);
    if (a.charts.length > 0) lines.push(`- Helm charts: ${a.charts.map(code).join(", ")}`);
    lines.push("");
  }
  if (report.builds && report.builds.length > 0) {
    lines.push(`### Builds ${mark(report.builds.every((b) => b.ok))}`, "", ...buildRows(report.builds), "");
  }
  if (outcome.preview) lines.push(...previewRows(outcome.preview));
  for (const stage of ["deploy", "test", "tests"]) lines.push(...extraStage(stage, report[stage]));
  if (options.targetUrl) lines.push(`[Details](${options.targetUrl})`, "");
  return truncateMarkdown(lines.join("\n").trimEnd(), CHECK_TEXT_MAX);
}

function truncateMarkdown(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "\n\n… (cut to GitHub's 65,535-character limit)";
  return text.slice(0, max - note.length) + note;
}

/** The last log lines that fit GitHub's limit, newest kept, in a fenced block. Lines must be redacted already. */
export function renderLogText(lines: readonly string[], max = CHECK_TEXT_MAX): string | undefined {
  if (lines.length === 0) return undefined;
  const fence = "````";
  const head = `Last lines of the pod's log:\n\n${fence}text\n`;
  const tail = `\n${fence}`;
  const budget = max - head.length - tail.length - 40;
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/````/g, "'''");
    if (size + line.length + 1 > budget) break;
    kept.unshift(line);
    size += line.length + 1;
  }
  const skipped = lines.length - kept.length;
  const note = skipped > 0 ? `(${skipped} earlier line${skipped === 1 ? "" : "s"} left out)\n` : "";
  return `${head}${note}${kept.join("\n")}${tail}`;
}

/** Annotations where a failing stage names a file: a missing required file, a failed build's Dockerfile. */
export function annotationsFor(outcome: RunOutcome): CheckAnnotation[] {
  const report = reportOf(outcome);
  const annotations: CheckAnnotation[] = [];
  for (const missing of report.files?.missing ?? []) {
    // A glob pattern has no file to point at; a plain path does.
    if (/[*?[\]{}]/.test(missing)) continue;
    annotations.push({
      path: missing,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "required file missing",
      message: `pr-pod requires ${missing} in the pull request's tree, and the clone has none. Add it, or change "verify" in pr-pod.config.`,
    });
  }
  for (const build of report.builds ?? []) {
    if (build.ok) continue;
    annotations.push({
      path: build.file,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: `${build.kind === "bake" ? "bake" : "docker build"} failed`,
      message: oneLine(build.error ?? "the build failed; see the pod log", 1000),
    });
  }
  return annotations.slice(0, ANNOTATIONS_PER_REQUEST);
}

/** The completed check run's output. */
export function finalCheckRunOutput(
  outcome: RunOutcome,
  logLines: readonly string[],
  options: SummaryOptions = {},
): CheckRunOutput {
  const text = renderLogText(logLines);
  const annotations = annotationsFor(outcome);
  return {
    title: describeOutcome(outcome, 255),
    summary: renderSummaryMarkdown(outcome, options),
    ...(text ? { text } : {}),
    ...(annotations.length > 0 ? { annotations } : {}),
  };
}

/** The PR comment: the marker (found again next run), the context's name, the summary. */
export function renderCommentBody(outcome: RunOutcome, context: string, options: SummaryOptions = {}): string {
  return `${commentMarker(context)}\n#### pr-pod · ${cell(context)}\n\n${renderSummaryMarkdown(outcome, options)}`;
}
