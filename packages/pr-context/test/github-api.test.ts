// fetchPullRequestContext against @pr-pod/test-github-server: GitHub's own answers and errors (the
// server checks each request and answer against GitHub's OpenAPI description), its tokens and limits.
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchPullRequestContext, findOpenPullRequest, PrContextError } from "../src/index.ts";
import { BASE_SHA, HEAD_SHA } from "./github-payloads.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const REPO = "octo-org/hello-world";
let github: TestGitHubServer;

function addPullRequest(server: TestGitHubServer, extra: { state?: "open" | "closed"; headRepo?: string } = {}) {
  server.addPullRequest({
    repo: REPO,
    number: 1347,
    headSha: HEAD_SHA,
    headRef: "new-topic",
    baseSha: BASE_SHA,
    ...extra,
  });
}

beforeEach(async () => {
  github = await startTestGitHubServer();
  github.addToken(TOKEN, { kind: "pat" }, "pat");
});
afterEach(async () => {
  const rejected = github.calls.filter((call) => call.rejected);
  await github.close();
  expect(rejected, "requests GitHub's description rejects").toEqual([]);
});

async function failure(promise: Promise<unknown>): Promise<PrContextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrContextError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as PrContextError;
}

const lookup = { repo: REPO, pr: 1347 };

describe("fetchPullRequestContext", () => {
  it("resolves --repo and --pr through GET /repos/{owner}/{repo}/pulls/{number}, sending the token", async () => {
    addPullRequest(github);
    const context = await fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.url });
    expect(context).toMatchObject({ source: "github-api", number: 1347, headSha: HEAD_SHA, headRef: "new-topic" });
    expect(context.action).toBeUndefined();
    expect(github.calls).toHaveLength(1);
    expect(github.calls[0]).toMatchObject({ operation: "pulls/get", status: 200, token: "pat" });
    expect(github.calls[0]!.userAgent).toContain("pr-pod");
  });

  it("works against a GitHub Enterprise Server base URL (/api/v3) and without a token", async () => {
    const enterprise = await startTestGitHubServer({ pathPrefix: "/api/v3" });
    try {
      addPullRequest(enterprise, { headRepo: "forker/hello-world" });
      const context = await fetchPullRequestContext(
        { repo: { owner: "octo-org", repo: "hello-world" }, pr: "#1347" },
        { baseUrl: `${enterprise.url}/` },
      );
      expect(context.isFork).toBe(true);
      expect(enterprise.calls[0]).toMatchObject({ path: "/repos/octo-org/hello-world/pulls/1347", status: 200 });
      expect(enterprise.calls[0]!.token).toBeUndefined();
    } finally {
      await enterprise.close();
    }
  });

  it("reports a PR that does not exist (404) as PR_NOT_FOUND, naming it", async () => {
    github.addRepository(REPO);
    const error = await failure(fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.url }));
    expect(error.code).toBe("PR_NOT_FOUND");
    expect(error.message).toContain("octo-org/hello-world#1347");
    expect(error.message).toContain("GitHub says: Not Found");
  });

  it("reports a closed PR as PR_CLOSED unless closed PRs are allowed", async () => {
    addPullRequest(github, { state: "closed" });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.url }));
    expect(error.code).toBe("PR_CLOSED");
    expect(error.message).toContain("is closed");
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.url, allowClosed: true });
    expect(context.state).toBe("closed");
  });

  it("reports a rejected token (401 Bad credentials) as GITHUB_UNAUTHORIZED without repeating the token", async () => {
    addPullRequest(github);
    const wrong = "ghp_wrongwrongwrongwrongwrongwrongwrong12";
    const error = await failure(fetchPullRequestContext(lookup, { token: wrong, baseUrl: github.url }));
    expect(error.code).toBe("GITHUB_UNAUTHORIZED");
    expect(error.message).toContain("Bad credentials");
    expect(error.message).toContain("GITHUB_PAT");
    expect(error.message).not.toContain(wrong);
    expect(github.sequence()).toEqual(["pulls/get -> 401"]);
  });

  it("reports a token without access (403 Resource not accessible) as GITHUB_FORBIDDEN and says which permission", async () => {
    addPullRequest(github);
    const workflowToken = "ghs_workflowWorkflowWorkflow0123456789";
    github.addToken(workflowToken, { kind: "actions", repository: REPO, permissions: { statuses: "write" } });
    const error = await failure(fetchPullRequestContext(lookup, { token: workflowToken, baseUrl: github.url }));
    expect(error.code).toBe("GITHUB_FORBIDDEN");
    expect(error.message).toContain("GitHub says: Resource not accessible by integration");
    expect(error.message).toContain("Pull requests: read");
  });

  it("reports an exhausted primary rate limit (403, x-ratelimit-remaining: 0) as GITHUB_RATE_LIMITED with the reset time", async () => {
    addPullRequest(github);
    github.setRateLimitRemaining(TOKEN, 0);
    const error = await failure(fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.url }));
    expect(error.code).toBe("GITHUB_RATE_LIMITED");
    expect(error.message).toContain("API rate limit exceeded");
    expect(error.message).toMatch(/the limit resets at \d{4}-\d\d-\d\dT/);
    expect(github.sequence()).toEqual(["pulls/get -> 403"]);
  });

  it("reports a secondary rate limit (403 with retry-after) as GITHUB_RATE_LIMITED", async () => {
    addPullRequest(github);
    github.faults.secondaryRateLimit({ retryAfterSeconds: 120, count: 5 });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.url }));
    expect(error.code).toBe("GITHUB_RATE_LIMITED");
    expect(error.message).toContain("retry after 120 s");
  });

  it("waits out a rate limit that resets within the allowed wait, then succeeds", async () => {
    addPullRequest(github);
    github.faults.failNext({
      status: 429,
      headers: { "retry-after": "0" },
      message: "You have exceeded a secondary rate limit.",
    });
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.url });
    expect(context.number).toBe(1347);
    expect(github.sequence()).toEqual(["pulls/get -> 429", "pulls/get -> 200"]);
  });

  it("retries a 502 and succeeds on the next answer", async () => {
    addPullRequest(github);
    github.faults.failNext({ status: 502 });
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.url, retries: 1 });
    expect(context.number).toBe(1347);
    expect(github.sequence()).toEqual(["pulls/get -> 502", "pulls/get -> 200"]);
  });

  it("reports a server error after the retries as GITHUB_REQUEST_FAILED, and an unreachable API too", async () => {
    addPullRequest(github);
    github.faults.failNext({ status: 500, count: 5 });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.url, retries: 0 }));
    expect(error.code).toBe("GITHUB_REQUEST_FAILED");
    expect(error.message).toContain("HTTP 500");
    const gone = await startTestGitHubServer();
    const closed = gone.url;
    await gone.close();
    const unreachable = await failure(fetchPullRequestContext(lookup, { baseUrl: closed, retries: 0 }));
    expect(unreachable.code).toBe("GITHUB_REQUEST_FAILED");
    expect(unreachable.message).toContain(closed);
  });

  it("stops when the signal is aborted", async () => {
    addPullRequest(github);
    const controller = new AbortController();
    controller.abort();
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.url, signal: controller.signal }));
    expect(error.code).toBe("ABORTED");
  });

  it("checks the repo and PR number before any request", async () => {
    expect((await failure(fetchPullRequestContext({ repo: "hello-world", pr: 1 }, { baseUrl: github.url }))).code).toBe(
      "INVALID_REPO",
    );
    const badNumber = await failure(fetchPullRequestContext({ repo: "a/b", pr: "12abc" }, { baseUrl: github.url }));
    expect(badNumber.code).toBe("INVALID_PR_NUMBER");
    expect(badNumber.message).toContain('"12abc"');
    expect((await failure(fetchPullRequestContext({ repo: "a/b", pr: 0 }, { baseUrl: github.url }))).code).toBe(
      "INVALID_PR_NUMBER",
    );
    expect(github.calls).toHaveLength(0);
  });
});

describe("findOpenPullRequest", () => {
  it("finds the open PR of a branch with GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&state=open", async () => {
    addPullRequest(github);
    const found = await findOpenPullRequest(
      { repo: REPO, headOwner: "octo-org", headRef: "new-topic" },
      { token: TOKEN, baseUrl: github.url },
    );
    expect(found).toBe(1347);
    expect(github.calls).toHaveLength(1);
    expect(github.calls[0]).toMatchObject({
      operation: "pulls/list",
      status: 200,
      query: { head: "octo-org:new-topic", state: "open" },
    });
  });

  it("answers undefined for a branch without an open PR, and picks the PR onto the given base among several", async () => {
    addPullRequest(github);
    github.addPullRequest({ repo: REPO, number: 7, headSha: HEAD_SHA, headRef: "other", baseRef: "main" });
    github.addPullRequest({ repo: REPO, number: 8, headSha: HEAD_SHA, headRef: "other", baseRef: "release" });
    github.addPullRequest({ repo: REPO, number: 9, headSha: HEAD_SHA, headRef: "closed-one", state: "closed" });
    const options = { token: TOKEN, baseUrl: github.url };
    expect(
      await findOpenPullRequest({ repo: REPO, headOwner: "octo-org", headRef: "nothing" }, options),
    ).toBeUndefined();
    expect(
      await findOpenPullRequest({ repo: REPO, headOwner: "octo-org", headRef: "closed-one" }, options),
    ).toBeUndefined();
    expect(
      await findOpenPullRequest({ repo: REPO, headOwner: "octo-org", headRef: "other", baseRef: "release" }, options),
    ).toBe(8);
  });

  it("says what went wrong, as a PrContextError, when GitHub refuses", async () => {
    const error = await failure(
      findOpenPullRequest(
        { repo: REPO, headOwner: "octo-org", headRef: "new-topic" },
        { token: "ghp_unknownunknownunknownunknown0000", baseUrl: github.url },
      ),
    );
    expect(error.code).toBe("GITHUB_UNAUTHORIZED");
    expect(error.message).toContain("the open pull requests of octo-org/hello-world");
  });
});
