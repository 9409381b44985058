// @pr-pod/pr-context/pure: what needs no GitHub client: contexts from flags, a checkout, an Actions
// event or a pull request object, validation, and the names, labels and env vars derived from a context.
// It loads no octokit, so `pr-pod render` and the Secret and Job builders start fast; @pr-pod/pr-context
// adds the GitHub API lookups and the webhook signature check.
export type { ActionsContextLike } from "./actions.ts";
export { pullRequestContextFromActions } from "./actions.ts";
export type { LocalCheckoutOptions } from "./local-checkout.ts";
export { LOCAL_RUN_NUMBER, normalizeRemoteUrl, pullRequestContextFromCheckout } from "./local-checkout.ts";
export { maskGitHubTokens } from "./mask-github-tokens.ts";
export type { OfflinePullRequest } from "./offline.ts";
export { pullRequestContextFromFlags } from "./offline.ts";
export { isLoopbackHost, plainHttpTokenWarning } from "./plain-http.ts";
export type { PrContextErrorCode } from "./pr-context-error.ts";
export { PrContextError } from "./pr-context-error.ts";
export type { PullRequestContext, PullRequestContextSource } from "./pull-request-context.ts";
export type { ClosedPullRequestOptions } from "./pull-request-payload.ts";
export { contextFromPullRequestObject } from "./pull-request-payload.ts";
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
