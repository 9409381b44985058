// The I/O part against the GitHub API test server, which refuses any request GitHub's description
// would refuse: afterEach fails a test whose feedback sent one, or got an answer that fails it.
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createGitHubFeedback, type GitHubFeedbackOptions } from "../src/index.ts";
import { HEAD_SHA, missingFileOutcome, passingOutcome } from "./fixtures.ts";

const PAT = "ghp_feedbackFeedbackFeedback0123456789";
const WORKFLOW_TOKEN = "ghs_workflowWorkflowWorkflow0123456789";
let github: TestGitHubServer;

function feedbackOptions(extra: Partial<GitHubFeedbackOptions> = {}): GitHubFeedbackOptions {
  return {
    auth: { token: PAT },
    owner: "octo",
    repo: "app",
    sha: HEAD_SHA,
    pullNumber: 7,
    baseUrl: github.url,
    retryAfterBaseMs: 1,
    minWriteIntervalMs: 0,
    ...extra,
  };
}

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

describe("with a personal access token", () => {
  it("sets the commit status pending at start and success at the end, with the target URL", async () => {
    const feedback = createGitHubFeedback(feedbackOptions({ targetUrl: "https://ci.example/runs/1" }));
    await feedback.start();
    const summary = await feedback.finish(passingOutcome());
    expect(summary).toEqual({ via: "commit-status", warnings: [] });
    expect(github.sequence()).toEqual(["repos/create-commit-status -> 201", "repos/create-commit-status -> 201"]);
    expect(github.statuses("octo/app", HEAD_SHA).map((s) => [s.state, s.context, s.targetUrl])).toEqual([
      ["pending", "pr-pod", "https://ci.example/runs/1"],
      ["success", "pr-pod", "https://ci.example/runs/1"],
    ]);
    expect(github.statuses("octo/app")[1]!.description).toMatch(/^pr-pod passed in 18 s: cloned 3f78685/);
  });

  it("sends exactly one final state however often finish is called", async () => {
    const feedback = createGitHubFeedback(feedbackOptions());
    const first = feedback.finish(missingFileOutcome());
    const second = feedback.finish(passingOutcome());
    expect(await second).toBe(await first);
    expect(github.statuses("octo/app").map((s) => s.state)).toEqual(["pending", "failure"]);
  });

  it("keeps one PR comment per context and updates it in place", async () => {
    for (const outcome of [missingFileOutcome(), passingOutcome()]) {
      await createGitHubFeedback(feedbackOptions({ comment: true, checkRun: "never" })).finish(outcome);
    }
    await createGitHubFeedback(feedbackOptions({ comment: true, context: "pr-pod/e2e" })).finish(passingOutcome());
    const comments = github.comments("octo/app", 7);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toContain("**✅ pr-pod passed**");
    expect(comments[0]!.body).toContain('<!-- pr-pod:feedback context="pr-pod" -->');
    expect(github.sequence((c) => c.operation?.startsWith("issues/") ?? false)).toEqual([
      "issues/list-comments -> 200",
      "issues/create-comment -> 201",
      "issues/list-comments -> 200",
      "issues/update-comment -> 200",
      "issues/list-comments -> 200",
      "issues/create-comment -> 201",
    ]);
  });
});

describe("with a GitHub App installation", () => {
  it("creates a check run in_progress, then completes it with the summary, the log and annotations", async () => {
    const app = github.addApp({ permissions: { checks: "write", statuses: "write", pull_requests: "write" } });
    const feedback = createGitHubFeedback(
      feedbackOptions({
        auth: { app: { appId: app.appId, privateKey: app.privateKey, installationId: app.installationId } },
      }),
    );
    await feedback.start();
    expect(github.checkRuns("octo/app")[0]).toMatchObject({ status: "in_progress", name: "pr-pod", headSha: HEAD_SHA });
    feedback.logLine("pr-pod: cloning octo/app");
    feedback.logLine("pr-pod: required file missing: Dockerfile");
    const summary = await feedback.finish(missingFileOutcome());
    expect(summary).toEqual({ via: "check-run", warnings: [] });
    expect(github.sequence()).toEqual([
      "apps/create-installation-access-token -> 201",
      "checks/create -> 201",
      "checks/update -> 200",
    ]);
    const run = github.checkRuns("octo/app")[0]!;
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", appSlug: "pr-pod-test-app" });
    expect(run.output.summary).toContain("- required, **missing**: `Dockerfile`");
    expect(run.output.text).toContain("pr-pod: required file missing: Dockerfile");
    expect(run.output.annotations).toEqual([
      expect.objectContaining({ path: "Dockerfile", annotation_level: "failure" }),
    ]);
  });
});

describe("when GitHub says no", () => {
  it("falls back to a commit status with a notice when GITHUB_TOKEN lacks checks: write", async () => {
    github.addToken(WORKFLOW_TOKEN, {
      kind: "actions",
      repository: "octo/app",
      permissions: { statuses: "write", contents: "read" },
    });
    const warnings: string[] = [];
    const feedback = createGitHubFeedback(
      feedbackOptions({ auth: { token: WORKFLOW_TOKEN }, onWarning: (m) => warnings.push(m) }),
    );
    const summary = await feedback.finish(passingOutcome());
    expect(summary.via).toBe("commit-status");
    expect(github.sequence()).toEqual([
      "checks/create -> 403",
      "repos/create-commit-status -> 201",
      "repos/create-commit-status -> 201",
    ]);
    expect(warnings).toEqual([
      expect.stringContaining(
        'may not create check runs on octo/app (HTTP 403: Resource not accessible by integration), so the verdict goes to a commit status "pr-pod" instead',
      ),
    ]);
  });

  it("waits out a secondary rate limit and retries", async () => {
    github.faults.secondaryRateLimit({ retryAfterSeconds: 2, match: { operation: "repos/create-commit-status" } });
    const summary = await createGitHubFeedback(feedbackOptions()).finish(passingOutcome());
    expect(summary.warnings).toEqual([]);
    expect(github.sequence()).toEqual([
      "repos/create-commit-status -> 403",
      "repos/create-commit-status -> 201",
      "repos/create-commit-status -> 201",
    ]);
  });

  it("retries a 502 and reports what still fails as a warning with the status and GitHub's message, never throwing", async () => {
    github.faults.failNext({ status: 502, match: { operation: "repos/create-commit-status" } });
    github.addRepository("octo/private", { private: true });
    github.addToken("ghp_narrowNarrowNarrowNarrow0123456789", { kind: "pat", repositories: ["octo/app"] });
    const ok = await createGitHubFeedback(feedbackOptions()).finish(passingOutcome());
    expect(ok.warnings).toEqual([]);
    const denied = await createGitHubFeedback(
      feedbackOptions({ auth: { token: "ghp_narrowNarrowNarrowNarrow0123456789" }, repo: "private" }),
    ).finish(passingOutcome());
    expect(denied.via).toBe("none");
    expect(denied.warnings).toEqual([
      {
        status: 404,
        message:
          'GitHub feedback: setting commit status "pr-pod" to pending on octo/private@3f78685 failed with HTTP 404: Not Found',
      },
      {
        status: 404,
        message:
          'GitHub feedback: setting commit status "pr-pod" to success on octo/private@3f78685 failed with HTTP 404: Not Found',
      },
    ]);
  });

  it("gives up a request GitHub never answers, retries it, and reports it as a warning", async () => {
    github.faults.hang({ count: 4, match: { operation: "repos/create-commit-status" } });
    const warnings: string[] = [];
    const summary = await createGitHubFeedback(
      feedbackOptions({ requestTimeoutMs: 200, onWarning: (message) => warnings.push(message) }),
    ).finish(passingOutcome());
    expect(github.calls.filter((call) => call.operation === "repos/create-commit-status")).toHaveLength(4 + 1);
    expect(summary.warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^GitHub feedback: setting commit status "pr-pod" to pending on octo\/app@3f78685 failed/,
    );
    expect(github.statuses("octo/app", HEAD_SHA).map((status) => status.state)).toEqual(["success"]);
  });

  it("refuses options that can never work before calling GitHub", () => {
    expect(() => createGitHubFeedback(feedbackOptions({ sha: "main" }))).toThrow(
      /sha "main" is not a 40-hex commit SHA/,
    );
    expect(() =>
      createGitHubFeedback(feedbackOptions({ auth: { app: { appId: "x", privateKey: "nope", installationId: 1 } } })),
    ).toThrow(/App id must be a number; the GitHub App private key is not a PEM private key/);
    expect(github.calls).toEqual([]);
  });
});
