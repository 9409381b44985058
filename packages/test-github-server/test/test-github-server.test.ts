// The server answers like GitHub: requests judged by GitHub's description, answers that pass it,
// GitHub's error shapes, token kinds and permissions, App installation tokens, rate limit headers.
import { createAppAuth } from "@octokit/auth-app";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestGitHubServer, type TestGitHubServer } from "../src/index.ts";

const SHA = "a".repeat(40);
let github: TestGitHubServer;

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

beforeEach(async () => {
  github = await startTestGitHubServer();
  github.addPullRequest({ repo: "octo/app", number: 7, headSha: SHA, headRef: "feature" });
  github.addToken("pat-token", { kind: "pat" }, "pat");
  github.addToken("gh-token-no-checks", {
    kind: "actions",
    repository: "octo/app",
    permissions: { statuses: "write", contents: "read" },
  });
});

afterEach(async () => {
  await github.close();
});

describe("requests are judged by GitHub's description", () => {
  it("answers a valid commit status with 201 and an object that passes the description", async () => {
    const answer = await call("POST", `/repos/octo/app/statuses/${SHA}`, "pat-token", {
      state: "pending",
      context: "pr-pod",
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ state: "pending", context: "pr-pod", creator: { login: "octocat" } });
    expect(github.statuses("octo/app", SHA).map((s) => s.state)).toEqual(["pending"]);
    expect(github.problems).toEqual([]);
  });

  it("refuses a state the description does not allow with 422 naming the field", async () => {
    const answer = await call("POST", `/repos/octo/app/statuses/${SHA}`, "pat-token", { state: "done" });
    expect(answer.status).toBe(422);
    expect(answer.body.message).toMatch(/Invalid request.*body\/state must be equal to one of the allowed values/s);
    expect(github.calls.at(-1)?.rejected?.[0]?.where).toBe("body/state");
    expect(github.statuses("octo/app")).toEqual([]);
  });

  it("refuses a body that is not JSON with 400 Problems parsing JSON", async () => {
    const answer = await call("POST", `/repos/octo/app/statuses/${SHA}`, "pat-token", "{state:");
    expect(answer).toMatchObject({ status: 400, body: { message: "Problems parsing JSON" } });
  });

  it("refuses a bad query parameter with 422 and a bad path parameter with 404", async () => {
    expect((await call("GET", "/repos/octo/app/pulls?state=merged", "pat-token")).status).toBe(422);
    expect((await call("GET", "/repos/octo/app/check-runs/abc", "pat-token")).status).toBe(404);
  });

  it("enforces GitHub's 140-character status description limit with a 422 and errors", async () => {
    const answer = await call("POST", `/repos/octo/app/statuses/${SHA}`, "pat-token", {
      state: "success",
      description: "x".repeat(141),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0]).toMatchObject({ field: "description", code: "custom" });
  });
});

describe("tokens", () => {
  it("answers 401 Bad credentials for an unknown token", async () => {
    const answer = await call("GET", "/repos/octo/app", "nope");
    expect(answer).toMatchObject({ status: 401, body: { message: "Bad credentials" } });
  });

  it("refuses check runs to a PAT and to a GITHUB_TOKEN without checks: write, with GitHub's messages", async () => {
    const body = { name: "pr-pod", head_sha: SHA, status: "in_progress" };
    expect(await call("POST", "/repos/octo/app/check-runs", "pat-token", body)).toMatchObject({
      status: 403,
      body: { message: "You must authenticate via a GitHub App." },
    });
    expect(await call("POST", "/repos/octo/app/check-runs", "gh-token-no-checks", body)).toMatchObject({
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
  });

  it("answers 404 for a repository the token cannot see", async () => {
    github.addRepository("octo/secret", { private: true });
    github.addToken("narrow", { kind: "pat", repositories: ["octo/app"] });
    expect((await call("GET", "/repos/octo/secret", "narrow")).status).toBe(404);
    expect((await call("GET", "/repos/octo/secret")).status).toBe(404);
  });

  it("mints installation tokens for a GitHub App JWT, and they create check runs", async () => {
    const app = github.addApp({ permissions: { checks: "write", statuses: "write" } });
    const { request } = await import("@octokit/request");
    const authed = createAppAuth({
      appId: app.appId,
      privateKey: app.privateKey,
      installationId: app.installationId,
      request: request.defaults({ baseUrl: github.url }),
    });
    const { token } = await authed({ type: "installation" });
    expect(token).toMatch(/^ghs_/);
    const created = await call("POST", "/repos/octo/app/check-runs", token, {
      name: "pr-pod",
      head_sha: SHA,
      status: "in_progress",
    });
    expect(created.status).toBe(201);
    const updated = await call("PATCH", `/repos/octo/app/check-runs/${created.body.id}`, token, {
      conclusion: "success",
      output: { title: "ok", summary: "**done**" },
    });
    expect(updated.body).toMatchObject({ status: "completed", conclusion: "success", output: { summary: "**done**" } });
    expect(github.sequence()).toEqual([
      "apps/create-installation-access-token -> 201",
      "checks/create -> 201",
      "checks/update -> 200",
    ]);
  });

  it("refuses a JWT signed by another key", async () => {
    github.addApp();
    const other = github.addApp();
    const { request } = await import("@octokit/request");
    const authed = createAppAuth({
      appId: other.appId + 1000,
      privateKey: other.privateKey,
      installationId: other.installationId,
      request: request.defaults({ baseUrl: github.url }),
    });
    await expect(authed({ type: "installation" })).rejects.toMatchObject({ status: 401 });
  });
});

describe("rate limits and faults", () => {
  it("sends x-ratelimit headers and a 403 once the limit is used up", async () => {
    github.setRateLimitRemaining("pat-token", 1);
    const first = await call("GET", "/repos/octo/app", "pat-token");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(first.headers.get("x-ratelimit-limit")).toBe("5000");
    const second = await call("GET", "/repos/octo/app", "pat-token");
    expect(second.status).toBe(403);
    expect(second.body.message).toMatch(/API rate limit exceeded/);
    expect((await call("GET", "/rate_limit", "pat-token")).body.resources.core.remaining).toBe(0);
  });

  it("injects a secondary rate limit with retry-after, once", async () => {
    github.faults.secondaryRateLimit({ retryAfterSeconds: 3, match: { operation: "repos/get" } });
    const limited = await call("GET", "/repos/octo/app", "pat-token");
    expect(limited.status).toBe(403);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.message).toMatch(/secondary rate limit/);
    expect((await call("GET", "/repos/octo/app", "pat-token")).status).toBe(200);
  });

  it("keeps issue comments and pages them", async () => {
    const made = await call("POST", "/repos/octo/app/issues/7/comments", "pat-token", { body: "hello" });
    expect(made.status).toBe(201);
    await call("PATCH", `/repos/octo/app/issues/comments/${made.body.id}`, "pat-token", { body: "edited" });
    const list = await call("GET", "/repos/octo/app/issues/7/comments?per_page=100", "pat-token");
    expect((list.body as unknown as Array<{ body: string }>).map((c) => c.body)).toEqual(["edited"]);
    expect((await call("GET", "/repos/octo/app/pulls/7", "pat-token")).body.head.sha).toBe(SHA);
  });
});
