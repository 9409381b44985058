// @pr-pod/preview-tests: a preview's CI tests (helm test hooks and configured test Jobs) run with
// the preview's own credentials, their logs live and their JUnit XML summarized.
export { type JUnitFailure, JUnitParseError, type JUnitSummary, parseJUnitXml } from "./junit-report.ts";
export {
  type PreviewTestResult,
  type PreviewTestsResult,
  type RunPreviewTestsOptions,
  readPreviewServiceUrls,
  runPreviewTests,
} from "./run-preview-tests.ts";
export {
  buildTestJob,
  DEFAULT_JUNIT_PATH,
  JUNIT_BEGIN,
  JUNIT_END,
  type PreviewService,
  previewServiceUrls,
  splitJUnitFromLog,
  type TestJobSpec,
  testJobName,
} from "./test-job.ts";
