// One run as the terminal shows it: the runner's events rendered as progress on stderr, the pod's
// log streamed live, a verdict on stdout (text as soon as the run finishes, before cleanup; a RunResult
// document in -o json|yaml once cleanup is done), Ctrl-C wired to the run's AbortSignal, and the exit
// code the run ends with. Shared by run, simulate and demo; the run itself is entirely @pr-pod/runner's.
import { listArtifacts, type PrPodReport } from "@pr-pod/file-verifier";
import { PR_POD_EXIT_CODES } from "@pr-pod/k8s-job-builder";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { PrPodRun, RunEvent, RunPrPodOptions, RunResult } from "@pr-pod/runner";
import type { CommandEnvironment } from "./command-environment.ts";
import { EXIT_CODES } from "./exit-codes.ts";
import { handleInterrupts, type InterruptHandling } from "./interrupts.ts";

/** The line the pod script prints its report on; the verdict shows it, so the log does not repeat it. */
const REPORT_LOG_MARKER = "::pr-pod-report::";

export interface RunSessionOptions {
  /** How to finish the job if the user stops waiting for cleanup (shown on a second Ctrl-C). */
  cleanupCommand: (context?: PullRequestContext) => string;
  /** Extra fields for the RunResult document (the demo says what stood in for what). */
  documentExtras?: (result: RunResult) => Record<string, unknown>;
  /** Lines printed after the verdict in text mode. */
  epilogue?: (result: RunResult) => string[];
}

export interface RunResultDocument {
  apiVersion: "pr-pod.dev/v1";
  kind: "RunResult";
  status: RunResult["status"];
  reason: string;
  message: string;
  exitCode: number;
  podExitCode?: number;
  stage?: string;
  namespace: string;
  jobName: string;
  pullRequest: PullRequestContext;
  report?: unknown;
  durationsMs: RunResult["durationsMs"];
  cleanedUp?: Array<{ kind: string; name: string }>;
  [extra: string]: unknown;
}

export type StartRun = (options: RunPrPodOptions) => PrPodRun;

/** Starts the run with Ctrl-C handling, renders it to the end, and returns pr-pod's exit code. */
export async function runAndRender(
  environment: CommandEnvironment,
  startRun: StartRun,
  options: Omit<RunPrPodOptions, "signal">,
  session: RunSessionOptions,
  /** Runs when the run has finished, before the verdict is printed (the demo reads its docker record). */
  beforeVerdict?: (result: RunResult) => Promise<void>,
): Promise<number> {
  const { terminal } = environment;
  const interrupts = handleInterrupts(terminal, session.cleanupCommand());
  let cleanedUp: Array<{ kind: string; name: string }> | undefined;
  let verdictShown = false;
  let verdictError: { error: unknown } | undefined;
  // The verdict is known when the run finishes, before its objects are deleted (a Foreground delete
  // waits for the pod to go, seconds on a real cluster): text mode shows it then, as `kubectl get job`
  // would, and cleanup follows. A document (-o json|yaml) lists what was cleaned up, so it comes last.
  const showVerdict = async (result: RunResult) => {
    verdictShown = true;
    await beforeVerdict?.(result);
    if (terminal.mode === "text") {
      for (const line of verdictLines(environment, result, exitCodeForRun(result, interrupts))) terminal.out(line);
    }
  };
  try {
    const run = startRun({ ...options, signal: interrupts.signal });
    // When the event stream throws, that error is the one rendered; the result's copy must not surface as unhandled.
    run.result.catch(() => {});
    for await (const event of run) {
      renderEvent(environment, event, interrupts, session);
      if (event.type === "finished") {
        // A failing beforeVerdict must not stop the loop while the runner still cleans up: it is
        // thrown once the run has ended.
        verdictError = await showVerdict(event.result).then(
          () => undefined,
          (error: unknown) => ({ error }),
        );
        if (event.result.status !== "aborted") terminal.phase("cleaning up");
      }
      if (event.type === "cleaned-up") cleanedUp = event.deleted;
    }
    if (verdictError) throw verdictError.error;
    const result = await run.result;
    terminal.endPhase();
    if (!verdictShown) await showVerdict(result);
    const exitCode = exitCodeForRun(result, interrupts);
    const document = runResultDocument(result, exitCode, cleanedUp, session.documentExtras?.(result));
    terminal.document(document);
    if (terminal.mode === "text") {
      for (const line of session.epilogue?.(result) ?? []) terminal.out(line);
    }
    return exitCode;
  } finally {
    terminal.endPhase();
    interrupts.dispose();
  }
}

function renderEvent(
  environment: CommandEnvironment,
  event: RunEvent,
  interrupts: InterruptHandling,
  session: RunSessionOptions,
): void {
  const { terminal } = environment;
  const dim = (text: string) => terminal.style("dim", text);
  switch (event.type) {
    case "resolved-context": {
      const pr = event.context;
      interrupts.setCleanupCommand(session.cleanupCommand(pr));
      const title = pr.title ? ` "${pr.title}"` : "";
      terminal.info(
        `${terminal.style("bold", runName(pr))}${title} at ${pr.headSha.slice(0, 7)} (${pr.headRef} → ${pr.baseRef}${pr.isFork ? ", from a fork" : ""})`,
      );
      terminal.phase("checking the cluster");
      break;
    }
    case "token-loaded":
      // "option": the CLI loaded the token itself and has already said where from.
      if (event.source !== "option") terminal.info(dim(`token: from ${event.source}`));
      break;
    case "local-registry":
      terminal.info(dim(`registry: the cluster's local registry ${event.host} (from ${event.source}), plain HTTP`));
      break;
    case "preflight":
      terminal.info(dim(`cluster ok: namespace ${event.namespace}, ${event.checks.length} checks passed`));
      terminal.phase("creating the run's objects");
      break;
    case "created":
      terminal.info(dim(`created ${event.kind}/${event.name}`));
      if (event.kind === "Job") terminal.phase(`waiting for the pod of Job ${event.name}`);
      break;
    case "pod-scheduled":
      terminal.info(dim(`pod ${event.podName} scheduled${event.nodeName ? ` on ${event.nodeName}` : ""}`));
      terminal.phase(`pod ${event.podName} running`);
      break;
    case "log-line":
      if (event.line.includes(REPORT_LOG_MARKER) && !environment.globals.debug) break;
      terminal.info(event.line);
      break;
    case "report":
      break;
    case "warning":
      terminal.warn(event.message);
      break;
    case "preview": {
      const preview = event.event;
      if (preview.type === "preview-line") terminal.info(`${dim(`[${preview.source}]`)} ${preview.line}`);
      else if (preview.type === "stage-started") terminal.phase(`preview ${preview.stage}`);
      else {
        terminal.endPhase();
        const { stage, status, durationMs, message } = preview.result;
        const line = `preview ${stage} ${status} in ${(durationMs / 1000).toFixed(1)} s${message ? `: ${message}` : ""}`;
        if (status === "failed") terminal.warn(line);
        else terminal.info(dim(line));
      }
      break;
    }
    case "finished":
      terminal.endPhase();
      break;
    case "cleaned-up":
      terminal.endPhase();
      terminal.info(
        dim(
          event.deleted.length
            ? `cleaned up: ${event.deleted.map((object) => `${object.kind}/${object.name}`).join(", ")}`
            : "cleaned up: nothing was left",
        ),
      );
      break;
  }
}

/** 0 on success; the pod's stage code when a stage failed; 124 after the deadline; 130/143 after a signal; else 1. */
export function exitCodeForRun(result: RunResult, interrupts?: Pick<InterruptHandling, "received">): number {
  if (result.status === "succeeded") return EXIT_CODES.success;
  if (result.status === "aborted") {
    return interrupts?.received === "SIGTERM" ? EXIT_CODES.terminated : EXIT_CODES.interrupted;
  }
  if (result.reason === "PreviewDeployFailed") return EXIT_CODES.previewDeployFailed;
  if (result.reason === "PreviewTestsFailed") return EXIT_CODES.previewTestsFailed;
  if (/deadline|timeout/i.test(result.reason)) return EXIT_CODES.timeout;
  const stage = PR_POD_EXIT_CODES.find((entry) => entry.code === result.exitCode);
  if (stage && stage.code !== 0 && stage.name !== "TERMINATED") return stage.code;
  return EXIT_CODES.runFailed;
}

function asReport(report: unknown): PrPodReport | undefined {
  return typeof report === "object" && report !== null && (report as PrPodReport).version === 1
    ? (report as PrPodReport)
    : undefined;
}

export function runResultDocument(
  result: RunResult,
  exitCode: number,
  cleanedUp?: Array<{ kind: string; name: string }>,
  extras: Record<string, unknown> = {},
): RunResultDocument {
  const report = asReport(result.report);
  const stage = PR_POD_EXIT_CODES.find((entry) => entry.code === result.exitCode);
  return {
    apiVersion: "pr-pod.dev/v1",
    kind: "RunResult",
    status: result.status,
    reason: result.reason,
    message: result.message,
    exitCode,
    ...(result.exitCode !== undefined ? { podExitCode: result.exitCode } : {}),
    ...(report && !report.ok ? { stage: report.stage } : stage && stage.code !== 0 ? { stage: stage.stage } : {}),
    namespace: result.namespace,
    jobName: result.jobName,
    pullRequest: result.context,
    ...(result.report !== undefined ? { report: result.report } : {}),
    ...(result.images !== undefined ? { images: result.images } : {}),
    ...(result.preview !== undefined ? { preview: result.preview } : {}),
    durationsMs: result.durationsMs,
    ...(cleanedUp ? { cleanedUp } : {}),
    ...extras,
  };
}

/** `owner/repo#12`, or `owner/repo (local run, no PR)` for a --source run that belongs to no pull request. */
function runName(pr: PullRequestContext): string {
  return pr.number === 0 ? `${pr.owner}/${pr.repo} (local run, no PR)` : `${pr.owner}/${pr.repo}#${pr.number}`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? "?" : `${(ms / 1000).toFixed(1)}s`;
}

/** The short verdict: outcome, then files verified, artifacts found, builds, durations. */
export function verdictLines(environment: CommandEnvironment, result: RunResult, exitCode: number): string[] {
  const { terminal } = environment;
  const pr = result.context;
  const where = `${runName(pr)} at ${pr.headSha.slice(0, 7)}`;
  const timing = `in ${seconds(result.durationsMs.total)}${result.durationsMs.pod !== undefined ? ` (pod ${seconds(result.durationsMs.pod)})` : ""}`;
  const lines: string[] = [];
  if (result.status === "succeeded") {
    lines.push(`${terminal.styleOut(["green", "bold"], "✔ succeeded")} ${where} ${timing}`);
  } else if (result.status === "aborted") {
    lines.push(`${terminal.styleOut(["yellow", "bold"], "■ aborted")} ${where}: ${result.message}`);
  } else {
    lines.push(
      `${terminal.styleOut(["red", "bold"], "✘ failed")} ${where} ${timing}: ${result.reason}: ${result.message}`,
    );
  }
  const report = asReport(result.report);
  if (report?.checkout === "merge" && report.baseSha) {
    lines.push(`  merged onto: ${pr.baseRef} at ${report.baseSha.slice(0, 12)}`);
  }
  if (report?.files) {
    const { found, missing } = report.files;
    lines.push(
      `  files verified: ${found.length ? found.join(", ") : "none"}${missing.length ? terminal.styleOut("red", `; missing: ${missing.join(", ")}`) : ""}`,
    );
  }
  if (report?.artifacts) {
    const listing = listArtifacts(report.artifacts);
    lines.push(`  artifacts: ${listing.summary}`);
    const width = Math.max(0, ...listing.shown.map((artifact) => artifact.kind.length));
    for (const { kind, path } of listing.shown) lines.push(`    ${kind.padEnd(width)}  ${path}`);
    if (listing.omitted > 0) lines.push(`    … and ${listing.omitted} more (-o json lists them all)`);
  }
  if (report?.builds) {
    const ok = report.builds.filter((build) => build.ok).length;
    lines.push(`  builds: ${ok} of ${report.builds.length} ok`);
    for (const build of report.builds) {
      const cache = build.steps ? `, ${build.cachedSteps ?? 0}/${build.steps} steps cached` : "";
      const outcome = build.ok
        ? terminal.styleOut("green", `ok${build.digest ? ` ${build.digest.slice(0, 19)}` : ""}`)
        : terminal.styleOut("red", `failed${build.error ? `: ${build.error}` : ""}`);
      const name = build.target ? `${build.target} (${build.file})` : build.file;
      lines.push(`    ${name}: ${outcome} (${seconds(build.durationMs)}${cache})`);
      if (build.ok && build.image) lines.push(`      pushed ${build.ref ?? build.image}`);
      if (!build.ok && build.failedStep) lines.push(`      failing step: ${build.failedStep}`);
      for (const line of build.ok ? [] : (build.logTail ?? []).slice(-5)) lines.push(`      | ${line}`);
    }
  } else if (report?.ok) {
    lines.push("  builds: off");
  }
  if (result.status === "failed") {
    const stage = PR_POD_EXIT_CODES.find((entry) => entry.code === result.exitCode);
    if (stage && stage.code !== 0) lines.push(`  stage: ${stage.stage} (pod exit ${stage.code}: ${stage.meaning})`);
    lines.push(`  exit code: ${exitCode}`);
  }
  return lines;
}
