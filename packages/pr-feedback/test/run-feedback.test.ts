// createRunFeedback from a run's PR context, against the GitHub API test server.
import type { PullRequestContext } from "@pr-pod/pr-context";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunFeedback } from "../src/index.ts";
import { HEAD_SHA, passingOutcome } from "./fixtures.ts";

const PAT = "ghp_feedbackFeedbackFeedback0123456789";
let github: TestGitHubServer;

beforeEach(async () => {
  github = await startTestGitHubServer();
  github.addPullRequest({ repo: "octo/app", number: 7, headSha: HEAD_SHA, headRef: "feature" });
  github.addToken(PAT, { kind: "pat" }, "pat");
});

afterEach(async () => {
  const rejected = github.calls.filter((call) => call.rejected);
  await github.close();
  expect(rejected, "requests GitHub's description rejects").toEqual([]);
});

const context = (number: number) => ({ owner: "octo", repo: "app", headSha: HEAD_SHA, number }) as PullRequestContext;

describe("createRunFeedback", () => {
  it("comments on the run's pull request when asked", async () => {
    const feedback = createRunFeedback(context(7), {
      settings: { token: PAT, apiUrl: github.url, comment: true, minWriteIntervalMs: 0 },
    });
    await feedback.start();
    expect((await feedback.finish(passingOutcome())).commentId).toBeDefined();
    expect(github.comments("octo/app", 7)).toHaveLength(1);
  });

  it("gives a local run (no PR, number 0) its commit status and no comment on a PR #0, and says why", async () => {
    const warnings: string[] = [];
    const feedback = createRunFeedback(context(0), {
      settings: { token: PAT, apiUrl: github.url, comment: true, minWriteIntervalMs: 0 },
      onWarning: (message) => warnings.push(message),
    });
    await feedback.start();
    const summary = await feedback.finish(passingOutcome());

    expect(summary.commentId).toBeUndefined();
    expect(github.statuses("octo/app", HEAD_SHA).map((status) => status.state)).toEqual(["pending", "success"]);
    expect(github.sequence().filter((call) => call.startsWith("issues/"))).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining("no PR comment: this local run of octo/app belongs to no pull request"),
    ]);
  });
});
