// What a pull_request delivery asks of pr-pod, decided from the payload alone: start a run, remove
// the PR's runs, or nothing (with the reason, for the log and the answer to GitHub). Pure: the
// collaborator check for the ok-to-test label is the only question that needs GitHub, and it is
// asked by the caller when the decision says so.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
import type { PullRequestEvent } from "@octokit/webhooks-types";
import { contextFromPullRequestObject, type PullRequestContext } from "@pr-pod/pr-context";

export interface PullRequestPolicy {
  /** Skip draft PRs (they start when marked ready for review). Default true. */
  skipDrafts?: boolean;
  /**
   * Fork PRs: "label" (default) runs them once a collaborator applied `okToTestLabel` (or the author
   * is an owner, member or collaborator); "always" runs every fork; "never" runs none.
   */
  forks?: "label" | "always" | "never";
  /** Label that approves a fork PR. Default "ok-to-test". */
  okToTestLabel?: string;
  /** Only these labels' PRs run (any of them); default every PR. */
  requiredLabels?: string[];
}

export const DEFAULT_OK_TO_TEST_LABEL = "ok-to-test";

/** Authors GitHub itself says belong to the repository; their forks need no label. */
const TRUSTED_ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export type PullRequestDecision =
  | { kind: "run"; context: PullRequestContext; supersedes: boolean }
  /** Run only if `login` may write to the repository (the label's author must be trusted). */
  | { kind: "run-if-collaborator"; context: PullRequestContext; login: string; supersedes: boolean }
  | { kind: "close"; owner: string; repo: string; number: number }
  | { kind: "skip"; reason: string };

const RUN_ACTIONS = new Set(["opened", "reopened", "synchronize", "ready_for_review"]);

export function decidePullRequest(event: PullRequestEvent, policy: PullRequestPolicy = {}): PullRequestDecision {
  const pullRequest = event.pull_request;
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  if (event.action === "closed") return { kind: "close", owner, repo, number: pullRequest.number };

  const okToTest = policy.okToTestLabel ?? DEFAULT_OK_TO_TEST_LABEL;
  const labels = (pullRequest.labels ?? []).map((label) => label.name);
  const labeledNow = event.action === "labeled" ? event.label?.name : undefined;
  const approvalLabelAdded = labeledNow === okToTest;
  const requiredLabelAdded = labeledNow !== undefined && (policy.requiredLabels ?? []).includes(labeledNow);
  if (!RUN_ACTIONS.has(event.action) && !approvalLabelAdded && !requiredLabelAdded) {
    return { kind: "skip", reason: `pull_request.${event.action} starts no run` };
  }
  if (pullRequest.state !== "open") return { kind: "skip", reason: `the pull request is ${pullRequest.state}` };
  if (pullRequest.draft && (policy.skipDrafts ?? true)) {
    return { kind: "skip", reason: "the pull request is a draft (it runs when marked ready for review)" };
  }
  const required = policy.requiredLabels ?? [];
  if (required.length > 0 && !labels.some((label) => required.includes(label))) {
    return { kind: "skip", reason: `the pull request has none of the labels ${required.join(", ")}` };
  }

  const context = contextFromPullRequestObject(pullRequest, "webhook", { action: event.action });
  const supersedes = event.action === "synchronize";
  if (!context.isFork) return { kind: "run", context, supersedes };

  const forks = policy.forks ?? "label";
  if (forks === "never") return { kind: "skip", reason: "fork pull requests do not run here (forks: never)" };
  if (forks === "always" || TRUSTED_ASSOCIATIONS.has(pullRequest.author_association)) {
    return { kind: "run", context, supersedes };
  }
  // The label's author is checked when it is applied; afterwards the label stands, as in Prow
  // (only people with triage access or more can label a pull request at all).
  if (approvalLabelAdded) return { kind: "run-if-collaborator", context, login: event.sender.login, supersedes };
  if (labels.includes(okToTest)) return { kind: "run", context, supersedes };
  return {
    kind: "skip",
    reason: `fork pull request from ${context.author} waits for a collaborator to add the label ${okToTest}`,
  };
}
