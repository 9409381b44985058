export type { ArtifactKind, ArtifactListing } from "./artifact-list.ts";
export { ARTIFACT_LIST_LIMIT, listArtifacts } from "./artifact-list.ts";
export type { BuiltImage } from "./built-images.ts";
export { builtImages } from "./built-images.ts";
export type { ReportExpectations, ReportVerdict } from "./evaluate.ts";
export { evaluate } from "./evaluate.ts";
export type { FileSpec, NormalizedFileSpec } from "./file-spec.ts";
export {
  DEFAULT_REQUIRED_FILES,
  FileSpecError,
  globToRegExp,
  globToRegexSource,
  isGlob,
  normalizeFileSpec,
  normalizePattern,
} from "./file-spec.ts";
export type {
  BuildResult,
  DetectedArtifacts,
  FileCheckResult,
  ParsedPrPodReport,
  PrPodReport,
  PrPodReportSources,
  PrPodStage,
} from "./pr-pod-report.ts";
export {
  parsePrPodReport,
  REPORT_CUT_MARKER,
  REPORT_LOG_MARKER,
  TERMINATION_MESSAGE_LIMIT,
} from "./pr-pod-report.ts";
export { buildVerifyFilesScript, shellQuote } from "./verify-files-script.ts";
export { verifyLocalFolder } from "./verify-local-folder.ts";
