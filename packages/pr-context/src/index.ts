export type { PrContextErrorCode } from "./pr-context-error.ts";
export { PrContextError } from "./pr-context-error.ts";
export type { PullRequestContext, PullRequestContextSource } from "./pull-request-context.ts";
export {
  MAX_RUN_NAME_LENGTH,
  prPodAnnotations,
  prPodEnv,
  prPodLabels,
  prPodRunName,
  prPodSelector,
  toLabelValue,
} from "./run-names.ts";
export {
  isValidBranchName,
  MAX_PR_NUMBER,
  parsePrNumber,
  parseRepoSlug,
  validateBranchRef,
  validateRepo,
  validateSha,
} from "./validate.ts";
