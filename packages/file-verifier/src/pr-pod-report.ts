// The machine-readable report the pod's script writes at the end of a run, and its parser. The script
// writes it to the termination message (capped at 4096 bytes by Kubernetes:
// https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/) and prints it
// once on a log line starting with REPORT_LOG_MARKER, so a report too big for the message still arrives.

/** Prefix of the one log line that carries the full report. */
export const REPORT_LOG_MARKER = "::pr-pod-report::";
/** Appended when even the summary did not fit and the message had to be cut mid-JSON. */
export const REPORT_CUT_MARKER = "::pr-pod-report-cut::";
/** The kubelet's cap on a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;

/** The stage a run reached; on failure, the one that failed. */
export type PrPodStage = "config" | "clone" | "merge" | "verify" | "detect" | "build" | "done";

export interface FileCheckResult {
  /** Required patterns that matched something. */
  found: string[];
  /** Required patterns that matched nothing. */
  missing: string[];
  optionalFound: string[];
  optionalMissing: string[];
}

export interface DetectedArtifacts {
  /** `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`, outside node_modules/.git/vendor/third_party. */
  dockerfiles: string[];
  /** `docker-bake.hcl`, `docker-bake.json`. */
  bakeFiles: string[];
  /** `compose.y*ml`, `docker-compose.y*ml`. */
  composeFiles: string[];
  /** Folders holding a `Chart.yaml`'s file path. */
  charts: string[];
}

/**
 * One image: a Dockerfile's build, or one target of a `buildx bake` (bake or compose file). With a registry, the
 * image was tagged `image` and pushed, and `digest` is the registry's manifest digest (buildx's metadata file).
 */
export interface BuildResult {
  kind: "dockerfile" | "bake";
  /** Target name: the bake/compose target, or for a Dockerfile its folder (the repository's name at the root). */
  target?: string;
  /** The Dockerfile, or the bake/compose file, relative to the repository root. */
  file: string;
  /** Build context folder, relative to the repository root (`.` for the root). */
  context?: string;
  /** For bake targets: the Dockerfile, relative to the context. */
  dockerfile?: string;
  ok: boolean;
  /** The tagged image reference (`<registry>/<owner>/<repo>/<target>:pr-<n>-<sha7>` by default). */
  image?: string;
  /** The tag part of `image`. */
  tag?: string;
  /** Whether the image was pushed (a registry was configured). */
  pushed?: boolean;
  /** `containerimage.digest` from the build's metadata file. */
  digest?: string;
  /** `<image name>@<digest>`: what a deployment should pull. */
  ref?: string;
  /** Build steps ([n/m] in BuildKit's progress) and how many of them were cache hits. */
  steps?: number;
  cachedSteps?: number;
  /** For a failed build: the BuildKit step that failed (e.g. `[2/3] RUN make`) and its last output lines. */
  failedStep?: string;
  logTail?: string[];
  /** Older reports (before per-target records): one digest per bake target. */
  digests?: string[];
  error?: string;
  durationMs: number;
}

export interface PrPodReport {
  version: 1;
  ok: boolean;
  exitCode: number;
  stage: PrPodStage;
  /** Human sentence for a failed stage (never contains the token). */
  error?: string;
  repo?: string;
  pr?: number;
  checkout?: "head" | "merge";
  headSha?: string;
  baseSha?: string;
  /** HEAD after checkout: the head SHA, or the merge commit with `checkout: merge`. */
  sha?: string;
  files?: FileCheckResult;
  artifacts?: DetectedArtifacts;
  builds?: BuildResult[];
  /** Per stage (clone, localChanges for run --source, verify, detect, build) and total. */
  durationsMs: Record<string, number>;
  /** True for the short form written when the full report did not fit the termination message. */
  truncated?: boolean;
}

export interface ParsedPrPodReport {
  report: PrPodReport;
  /** Where it came from: the termination message, or the marked log line. */
  source: "termination-message" | "log";
}

export interface PrPodReportSources {
  /** The container's terminated.message. */
  terminationMessage?: string;
  /** The pod's log (any prefix before the marker on a line, e.g. a timestamp, is ignored). */
  logText?: string;
}

function asReport(value: unknown): PrPodReport | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.version !== 1 || typeof record.exitCode !== "number" || typeof record.stage !== "string") return undefined;
  const report = value as PrPodReport;
  if (typeof report.durationsMs !== "object" || report.durationsMs === null) report.durationsMs = {};
  return report;
}

function parseJson(text: string): PrPodReport | undefined {
  try {
    return asReport(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The last marked line wins: the script prints its own as the very last line of the run. */
function reportFromLog(logText: string): PrPodReport | undefined {
  const lines = logText.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const at = line.indexOf(REPORT_LOG_MARKER);
    if (at < 0) continue;
    const report = parseJson(line.slice(at + REPORT_LOG_MARKER.length).trim());
    if (report) return report;
  }
  return undefined;
}

/**
 * Reads the pod's report: the termination message first; the marked log line when the message is missing,
 * cut, or only the short (truncated) form. A plain string is tried as both. Undefined when neither holds one.
 */
export function parsePrPodReport(sources: PrPodReportSources | string): ParsedPrPodReport | undefined {
  const { terminationMessage, logText } =
    typeof sources === "string" ? { terminationMessage: sources, logText: sources } : sources;
  const fromMessage =
    terminationMessage && !terminationMessage.includes(REPORT_CUT_MARKER)
      ? parseJson(terminationMessage.trim())
      : undefined;
  if (fromMessage && !fromMessage.truncated) return { report: fromMessage, source: "termination-message" };
  // With FallbackToLogsOnError, a message that is not JSON is the log's tail, which may hold the marked line.
  const fromLog =
    (logText ? reportFromLog(logText) : undefined) ??
    (terminationMessage ? reportFromLog(terminationMessage) : undefined);
  if (fromLog) return { report: fromLog, source: "log" };
  if (fromMessage) return { report: fromMessage, source: "termination-message" };
  return undefined;
}
