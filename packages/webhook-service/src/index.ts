// @pr-pod/webhook-service: `pr-pod serve` as a library. GitHub webhook deliveries in (signature,
// limits, the event table), runs out through runPrPod, the cluster as the only database.

export { type GitHubCollaboratorCheckOptions, githubCollaboratorCheck } from "./collaborator-check.ts";
export {
  claimName,
  DEFAULT_CLAIM_RETENTION_MS,
  DELIVERY_ANNOTATION,
  type DeliveryClaim,
  DeliveryLedger,
  type DeliveryState,
  LEDGER_LABELS,
  LEDGER_MANAGED_BY,
} from "./delivery-ledger.ts";
export { type GitHubFeedbackFactoryOptions, githubFeedback } from "./github-feedback.ts";
export {
  type CollaboratorCheck,
  type DeliveryAnswer,
  type FeedbackFactory,
  type FeedbackOutcome,
  type PullRequestFeedback,
  PullRequestHandlers,
  type PullRequestHandlersOptions,
  type ServicePreviewOptions,
} from "./pull-request-handlers.ts";
export {
  DEFAULT_OK_TO_TEST_LABEL,
  decidePullRequest,
  type PullRequestDecision,
  type PullRequestPolicy,
} from "./pull-request-policy.ts";
export { type QueuedRun, RunQueue, type RunQueueOptions } from "./run-queue.ts";
export { createServiceMetrics, type ServiceMetrics } from "./service-metrics.ts";
export { createWebhookServer, DEFAULT_MAX_BODY_BYTES, type VerifiedDelivery } from "./webhook-http.ts";
export {
  type EventHandler,
  startWebhookService,
  type WebhookService,
  WebhookServiceError,
  type WebhookServiceErrorCode,
  type WebhookServiceOptions,
} from "./webhook-service.ts";
