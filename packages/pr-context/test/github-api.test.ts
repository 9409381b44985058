import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fetchPullRequestContext, PrContextError } from "../src/index.ts";
import { type FakeGitHub, startFakeGitHub } from "./fake-github.ts";
import { HEAD_SHA, pullRequestObject } from "./github-payloads.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const PULL = "/repos/octo-org/hello-world/pulls/1347";
let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub();
});
afterEach(async () => {
  await github.close();
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

const lookup = { repo: "octo-org/hello-world", pr: 1347 };

describe("fetchPullRequestContext", () => {
  it("resolves --repo and --pr through GET /repos/{owner}/{repo}/pulls/{number}, sending the token", async () => {
    github.answer(PULL, { status: 200, body: pullRequestObject() });
    const context = await fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.baseUrl });
    expect(context).toMatchObject({ source: "github-api", number: 1347, headSha: HEAD_SHA, headRef: "new-topic" });
    expect(context.action).toBeUndefined();
    expect(github.requests).toHaveLength(1);
    expect(github.requests[0]!.authorization).toBe(`token ${TOKEN}`);
    expect(github.requests[0]!.userAgent).toContain("pr-pod");
  });

  it("works against a GitHub Enterprise Server base URL (/api/v3) and without a token", async () => {
    const enterprise = await startFakeGitHub("/api/v3");
    try {
      enterprise.answer(PULL, { status: 200, body: pullRequestObject({ fromFork: true }) });
      const context = await fetchPullRequestContext(
        { repo: { owner: "octo-org", repo: "hello-world" }, pr: "#1347" },
        { baseUrl: `${enterprise.baseUrl}/` },
      );
      expect(context.isFork).toBe(true);
      expect(enterprise.requests[0]!.url).toBe(`/api/v3${PULL}`);
      expect(enterprise.requests[0]!.authorization).toBeUndefined();
    } finally {
      await enterprise.close();
    }
  });

  it("reports a PR that does not exist (404) as PR_NOT_FOUND, naming it", async () => {
    const error = await failure(fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.baseUrl }));
    expect(error.code).toBe("PR_NOT_FOUND");
    expect(error.message).toContain("octo-org/hello-world#1347");
    expect(error.message).toContain("GitHub says: Not Found");
  });

  it("reports a closed PR as PR_CLOSED unless closed PRs are allowed", async () => {
    github.answer(PULL, { status: 200, body: pullRequestObject({ state: "closed" }) });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.baseUrl }));
    expect(error.code).toBe("PR_CLOSED");
    expect(error.message).toContain("is closed");
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.baseUrl, allowClosed: true });
    expect(context.state).toBe("closed");
  });

  it("reports a rejected token (401 Bad credentials) as GITHUB_UNAUTHORIZED without repeating the token", async () => {
    github.answer(PULL, {
      status: 401,
      body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
    });
    const error = await failure(fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.baseUrl }));
    expect(error.code).toBe("GITHUB_UNAUTHORIZED");
    expect(error.message).toContain("Bad credentials");
    expect(error.message).toContain("GITHUB_PAT");
    expect(github.requests).toHaveLength(1);
  });

  it("reports a token without access (403, no rate-limit headers) as GITHUB_FORBIDDEN and says which permission", async () => {
    github.answer(PULL, {
      status: 403,
      body: {
        message: "Resource not accessible by personal access token",
        documentation_url: "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
        status: "403",
      },
    });
    const error = await failure(fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: github.baseUrl }));
    expect(error.code).toBe("GITHUB_FORBIDDEN");
    expect(error.message).toContain("Pull requests: read");
  });

  it("reports an exhausted primary rate limit (403, x-ratelimit-remaining: 0) as GITHUB_RATE_LIMITED with the reset time", async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    github.answer(PULL, {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded for 203.0.113.7.", documentation_url: "https://docs.github.com/rest" },
    });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.baseUrl }));
    expect(error.code).toBe("GITHUB_RATE_LIMITED");
    expect(error.message).toContain(new Date(reset * 1000).toISOString());
    expect(github.requests).toHaveLength(1);
  });

  it("reports a secondary rate limit (403 with retry-after) as GITHUB_RATE_LIMITED", async () => {
    github.answer(PULL, {
      status: 403,
      headers: { "retry-after": "120" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
    });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.baseUrl }));
    expect(error.code).toBe("GITHUB_RATE_LIMITED");
    expect(error.message).toContain("retry after 120 s");
  });

  it("waits out a rate limit that resets within the allowed wait, then succeeds", async () => {
    github.answer(
      PULL,
      { status: 429, headers: { "retry-after": "0" }, body: { message: "You have exceeded a secondary rate limit." } },
      { status: 200, body: pullRequestObject() },
    );
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.baseUrl });
    expect(context.number).toBe(1347);
    expect(github.requests).toHaveLength(2);
  });

  it("retries a 502 and succeeds on the next answer", async () => {
    github.answer(PULL, { status: 502, body: { message: "Server Error" } }, { status: 200, body: pullRequestObject() });
    const context = await fetchPullRequestContext(lookup, { baseUrl: github.baseUrl, retries: 1 });
    expect(context.number).toBe(1347);
    expect(github.requests).toHaveLength(2);
  });

  it("reports a server error after the retries as GITHUB_REQUEST_FAILED, and an unreachable API too", async () => {
    github.answer(PULL, { status: 500, body: { message: "Server Error" } });
    const error = await failure(fetchPullRequestContext(lookup, { baseUrl: github.baseUrl, retries: 0 }));
    expect(error.code).toBe("GITHUB_REQUEST_FAILED");
    expect(error.message).toContain("HTTP 500");
    const closed = github.baseUrl;
    await github.close();
    github = await startFakeGitHub();
    const unreachable = await failure(fetchPullRequestContext(lookup, { baseUrl: closed, retries: 0 }));
    expect(unreachable.code).toBe("GITHUB_REQUEST_FAILED");
    expect(unreachable.message).toContain(closed);
  });

  it("stops when the signal is aborted", async () => {
    github.answer(PULL, { status: 200, body: pullRequestObject() });
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      fetchPullRequestContext(lookup, { baseUrl: github.baseUrl, signal: controller.signal }),
    );
    expect(error.code).toBe("ABORTED");
  });

  it("checks the repo and PR number before any request", async () => {
    expect(
      (await failure(fetchPullRequestContext({ repo: "hello-world", pr: 1 }, { baseUrl: github.baseUrl }))).code,
    ).toBe("INVALID_REPO");
    const badNumber = await failure(fetchPullRequestContext({ repo: "a/b", pr: "12abc" }, { baseUrl: github.baseUrl }));
    expect(badNumber.code).toBe("INVALID_PR_NUMBER");
    expect(badNumber.message).toContain('"12abc"');
    expect((await failure(fetchPullRequestContext({ repo: "a/b", pr: 0 }, { baseUrl: github.baseUrl }))).code).toBe(
      "INVALID_PR_NUMBER",
    );
    expect(github.requests).toHaveLength(0);
  });
});
