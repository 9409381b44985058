// @pr-pod/pr-feedback: a pr-pod run's verdict on its pull request (commit status, check run, comment).
// Pure renderers first, then the GitHub I/O, then the bridge the runner and the apps use.

export type {
  FeedbackSummary,
  FeedbackWarning,
  GitHubAppCredentials,
  GitHubFeedback,
  GitHubFeedbackAuth,
  GitHubFeedbackOptions,
  PrFeedbackErrorCode,
} from "./github-feedback.ts";
export { createGitHubFeedback, DEFAULT_FEEDBACK_CONTEXT, PrFeedbackError } from "./github-feedback.ts";
export type {
  CheckAnnotation,
  CheckConclusion,
  CheckRunOutput,
  CommitState,
  CommitStatusPayload,
  PreviewOutcome,
  RunOutcome,
  SummaryOptions,
} from "./render-feedback.ts";
export {
  ANNOTATIONS_PER_REQUEST,
  annotationsFor,
  CHECK_TEXT_MAX,
  checkConclusionOf,
  commentMarker,
  commitStateOf,
  describeOutcome,
  finalCheckRunOutput,
  finalStatusPayload,
  pendingStatusPayload,
  renderCommentBody,
  renderLogText,
  renderSummaryMarkdown,
  STATUS_DESCRIPTION_MAX,
} from "./render-feedback.ts";
export type { GitHubReportSettings, StartRunFeedbackOptions } from "./run-feedback.ts";
export { createRunFeedback, loadGitHubAppCredentials } from "./run-feedback.ts";
