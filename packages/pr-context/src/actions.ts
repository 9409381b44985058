// The Actions context, passed in by the action (`github.context` from @actions/github). This package
// never imports @actions/*: any object with eventName and payload will do.
// https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request

import { PrContextError } from "./pr-context-error.ts";
import type { PullRequestContext } from "./pull-request-context.ts";
import { type ClosedPullRequestOptions, contextFromPullRequestObject } from "./pull-request-payload.ts";

/** The part of @actions/github's `context` this reads. */
export interface ActionsContextLike {
  eventName: string;
  payload: { action?: string; pull_request?: unknown; [key: string]: unknown };
}

const PULL_REQUEST_EVENTS = new Set(["pull_request", "pull_request_target"]);

export function pullRequestContextFromActions(
  actionsContext: ActionsContextLike,
  options: ClosedPullRequestOptions = {},
): PullRequestContext {
  if (!PULL_REQUEST_EVENTS.has(actionsContext.eventName) || !actionsContext.payload?.pull_request) {
    throw new PrContextError(
      "NOT_A_PULL_REQUEST_EVENT",
      `the workflow was triggered by ${JSON.stringify(actionsContext.eventName)}, not a pull request: run this step on "on: pull_request" (or pull_request_target), or pass repo and pr inputs to look the PR up`,
    );
  }
  return contextFromPullRequestObject(actionsContext.payload.pull_request, "actions", {
    ...options,
    action: actionsContext.payload.action,
    where: "the event payload's pull_request",
  });
}
