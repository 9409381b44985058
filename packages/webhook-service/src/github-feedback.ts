// The service's real feedback: @pr-pod/pr-feedback per accepted pull request (a pending status or
// check run when the delivery is accepted, one final state when its run ends, superseded or not).
// Passed in as a FeedbackFactory, so tests and other reporters can stand in for it.
import type { PullRequestContext } from "@pr-pod/pr-context";
import { createRunFeedback, type GitHubReportSettings } from "@pr-pod/pr-feedback";
import type { FeedbackFactory, PullRequestFeedback } from "./pull-request-handlers.ts";

export interface GitHubFeedbackFactoryOptions {
  settings?: GitHubReportSettings;
  /** The token used when the settings have neither a token nor a GitHub App. */
  token?: string;
  /** Told about feedback that could not be sent (never the token). */
  onWarning?: (message: string) => void;
}

export function githubFeedback(options: GitHubFeedbackFactoryOptions): FeedbackFactory {
  return (context: PullRequestContext): PullRequestFeedback =>
    createRunFeedback(context, {
      settings: options.settings ?? {},
      ...(options.token ? { runToken: options.token } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
}
