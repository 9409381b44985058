// @pr-pod/pr-context: the pure part (./pure.ts, also the package's "./pure" export) plus the GitHub
// API lookups and the webhook delivery check.
export type { GitHubApiOptions, OpenPullRequestLookup, PullRequestLookup } from "./github-api.ts";
export { fetchPullRequestContext, findOpenPullRequest, GITHUB_API_URL } from "./github-api.ts";
export * from "./pure.ts";
export type { DeliveryHeaders, WebhookDelivery, WebhookOptions } from "./webhook.ts";
export { pullRequestContextFromWebhook } from "./webhook.ts";
