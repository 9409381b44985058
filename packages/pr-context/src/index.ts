export type { ActionsContextLike } from "./actions.ts";
export { pullRequestContextFromActions } from "./actions.ts";
export type { GitHubApiOptions, OpenPullRequestLookup, PullRequestLookup } from "./github-api.ts";
export { fetchPullRequestContext, findOpenPullRequest, GITHUB_API_URL } from "./github-api.ts";
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
export type { DeliveryHeaders, WebhookDelivery, WebhookOptions } from "./webhook.ts";
export { pullRequestContextFromWebhook } from "./webhook.ts";
