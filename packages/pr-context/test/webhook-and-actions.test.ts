import { sign } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import {
  PrContextError,
  type PullRequestContext,
  pullRequestContextFromActions,
  pullRequestContextFromWebhook,
} from "../src/index.ts";
import { BASE_SHA, HEAD_SHA, pullRequestEvent } from "./github-payloads.ts";

const SECRET = "It's a Secret to Everybody";

async function delivery(payload: object, event = "pull_request") {
  const body = JSON.stringify(payload);
  return {
    payload: body,
    headers: {
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "X-Hub-Signature-256": await sign(SECRET, body),
      "content-type": "application/json",
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<PrContextError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrContextError);
  return error as PrContextError;
}

describe("pullRequestContextFromWebhook", () => {
  for (const action of ["opened", "synchronize", "reopened"]) {
    it(`reads a same-repo PR from a signed "${action}" delivery`, async () => {
      const context = await pullRequestContextFromWebhook(await delivery(pullRequestEvent(action)), { secret: SECRET });
      expect(context).toEqual<PullRequestContext>({
        owner: "octo-org",
        repo: "hello-world",
        number: 1347,
        title: "Amazing new feature",
        author: "octocat",
        headSha: HEAD_SHA,
        headRef: "new-topic",
        headCloneUrl: "https://github.com/octo-org/hello-world.git",
        baseRef: "main",
        baseSha: BASE_SHA,
        baseCloneUrl: "https://github.com/octo-org/hello-world.git",
        mergeRef: "refs/pull/1347/merge",
        isFork: false,
        draft: false,
        state: "open",
        htmlUrl: "https://github.com/octo-org/hello-world/pull/1347",
        action,
        source: "webhook",
      });
    });
  }

  it("reads a fork's PR: the head clone URL is the fork's, the base stays the target repo", async () => {
    const context = await pullRequestContextFromWebhook(
      await delivery(pullRequestEvent("opened", { fromFork: true, draft: true })),
    );
    expect(context).toMatchObject({
      owner: "octo-org",
      repo: "hello-world",
      isFork: true,
      draft: true,
      headCloneUrl: "https://github.com/forker/hello-world.git",
      baseCloneUrl: "https://github.com/octo-org/hello-world.git",
    });
  });

  it("refuses a closed PR unless closed PRs are allowed", async () => {
    const closed = await delivery(pullRequestEvent("closed", { state: "closed", merged: true }));
    const error = await rejection(pullRequestContextFromWebhook(closed));
    expect(error.code).toBe("PR_CLOSED");
    expect(error.message).toContain("octo-org/hello-world#1347 is merged");
    expect(error.message).toContain("allowClosed");
    const context = await pullRequestContextFromWebhook(closed, { allowClosed: true });
    expect(context).toMatchObject({ state: "closed", action: "closed" });
  });

  it("rejects a delivery whose body was changed after signing", async () => {
    const signed = await delivery(pullRequestEvent("opened"));
    const tampered = { ...signed, payload: signed.payload.replace("new-topic", "evil-topic") };
    const error = await rejection(pullRequestContextFromWebhook(tampered, { secret: SECRET }));
    expect(error.code).toBe("INVALID_SIGNATURE");
    expect(error.message).toContain("72d3162e-cc78-11e3-81ab-4c9367dc0958");
  });

  it("rejects a missing signature, a wrong secret, and a parsed payload when a secret is given", async () => {
    const signed = await delivery(pullRequestEvent("opened"));
    const { "X-Hub-Signature-256": _, ...unsigned } = signed.headers;
    expect(
      (await rejection(pullRequestContextFromWebhook({ ...signed, headers: unsigned }, { secret: SECRET }))).code,
    ).toBe("INVALID_SIGNATURE");
    expect((await rejection(pullRequestContextFromWebhook(signed, { secret: "other" }))).code).toBe(
      "INVALID_SIGNATURE",
    );
    const parsed = { headers: signed.headers, payload: JSON.parse(signed.payload) as object };
    const error = await rejection(pullRequestContextFromWebhook(parsed, { secret: SECRET }));
    expect(error.message).toContain("raw request body");
  });

  it("rejects another event type, naming it", async () => {
    const error = await rejection(
      pullRequestContextFromWebhook(await delivery({ zen: "Keep it logically awesome." }, "ping")),
    );
    expect(error.code).toBe("NOT_A_PULL_REQUEST_EVENT");
    expect(error.message).toContain('"ping"');
  });

  it("names the missing field of a truncated payload and a body that is not JSON", async () => {
    const event = pullRequestEvent("opened");
    const { sha: _, ...headWithoutSha } = event.pull_request.head;
    const broken = { ...event, pull_request: { ...event.pull_request, head: headWithoutSha } };
    const error = await rejection(pullRequestContextFromWebhook({ payload: broken }));
    expect(error.code).toBe("INVALID_PAYLOAD");
    expect(error.message).toContain("head.sha");
    expect((await rejection(pullRequestContextFromWebhook({ payload: "<xml/>" }))).code).toBe("INVALID_PAYLOAD");
  });

  it("reports a PR whose fork was deleted (head.repo null) as nothing to clone", async () => {
    const event = pullRequestEvent("synchronize", { fromFork: true });
    const orphan = {
      ...event,
      pull_request: { ...event.pull_request, head: { ...event.pull_request.head, repo: null } },
    };
    const error = await rejection(pullRequestContextFromWebhook({ payload: orphan }));
    expect(error.code).toBe("INVALID_PAYLOAD");
    expect(error.message).toContain("fork was deleted");
  });

  it("rejects a head SHA that is not 40 hex characters and a branch name git would refuse", async () => {
    const shortSha = await rejection(
      pullRequestContextFromWebhook({ payload: pullRequestEvent("opened", { headSha: "6dcb09b" }) }),
    );
    expect(shortSha.code).toBe("INVALID_SHA");
    expect(shortSha.message).toContain('"6dcb09b"');
    const badRef = await rejection(
      pullRequestContextFromWebhook({ payload: pullRequestEvent("opened", { headRef: "a..b" }) }),
    );
    expect(badRef.code).toBe("INVALID_REF");
  });
});

describe("pullRequestContextFromActions", () => {
  it("reads the PR from a pull_request workflow run's context", () => {
    const context = pullRequestContextFromActions({
      eventName: "pull_request",
      payload: pullRequestEvent("synchronize", { fromFork: true }),
    });
    expect(context).toMatchObject({ source: "actions", action: "synchronize", isFork: true, number: 1347 });
  });

  it("accepts pull_request_target", () => {
    expect(
      pullRequestContextFromActions({ eventName: "pull_request_target", payload: pullRequestEvent("opened") }).source,
    ).toBe("actions");
  });

  it("explains that a push-triggered run has no pull request", () => {
    let error: unknown;
    try {
      pullRequestContextFromActions({ eventName: "push", payload: { ref: "refs/heads/main" } });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "NOT_A_PULL_REQUEST_EVENT" });
    expect((error as Error).message).toContain('"push"');
    expect((error as Error).message).toContain("on: pull_request");
  });
});
