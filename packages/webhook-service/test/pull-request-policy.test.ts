// Which pull_request deliveries start a run, decided from GitHub-shaped payloads alone, and the
// label author's permission asked of a real HTTP server shaped like GitHub's.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { decidePullRequest, githubCollaboratorCheck } from "../src/index.ts";
import { pullRequestPayload } from "./deliveries.ts";

describe("decidePullRequest", () => {
  it("runs opened, reopened, synchronize (superseding) and ready_for_review", () => {
    for (const action of ["opened", "reopened", "ready_for_review"] as const) {
      expect(decidePullRequest(pullRequestPayload({ action, number: 1 }))).toMatchObject({
        kind: "run",
        supersedes: false,
      });
    }
    expect(decidePullRequest(pullRequestPayload({ action: "synchronize", number: 1 }))).toMatchObject({
      kind: "run",
      supersedes: true,
    });
  });

  it("closes on closed, and skips drafts unless told otherwise", () => {
    expect(decidePullRequest(pullRequestPayload({ action: "closed", number: 3 }))).toEqual({
      kind: "close",
      owner: "octo",
      repo: "widgets",
      number: 3,
    });
    const draft = pullRequestPayload({ action: "opened", number: 4, draft: true });
    expect(decidePullRequest(draft)).toMatchObject({ kind: "skip" });
    expect(decidePullRequest(draft, { skipDrafts: false })).toMatchObject({ kind: "run" });
  });

  it("holds a fork until the ok-to-test label, whose author is then checked; trusts members' forks", () => {
    const fork = { number: 5, headRepo: "stranger/widgets" };
    expect(decidePullRequest(pullRequestPayload({ action: "opened", ...fork }))).toMatchObject({ kind: "skip" });
    expect(
      decidePullRequest(
        pullRequestPayload({
          action: "labeled",
          label: "ok-to-test",
          sender: "maintainer",
          labels: ["ok-to-test"],
          ...fork,
        }),
      ),
    ).toMatchObject({
      kind: "run-if-collaborator",
      login: "maintainer",
    });
    expect(
      decidePullRequest(pullRequestPayload({ action: "synchronize", labels: ["ok-to-test"], ...fork })),
    ).toMatchObject({ kind: "run" });
    expect(
      decidePullRequest(pullRequestPayload({ action: "opened", authorAssociation: "MEMBER", ...fork })),
    ).toMatchObject({ kind: "run" });
    expect(decidePullRequest(pullRequestPayload({ action: "opened", ...fork }), { forks: "never" })).toMatchObject({
      kind: "skip",
    });
    expect(decidePullRequest(pullRequestPayload({ action: "opened", ...fork }), { forks: "always" })).toMatchObject({
      kind: "run",
    });
  });

  it("runs only labelled PRs when required labels are set", () => {
    const policy = { requiredLabels: ["ci"] };
    expect(decidePullRequest(pullRequestPayload({ action: "opened", number: 6 }), policy)).toMatchObject({
      kind: "skip",
    });
    expect(
      decidePullRequest(pullRequestPayload({ action: "opened", number: 6, labels: ["ci"] }), policy),
    ).toMatchObject({ kind: "run" });
  });
});

describe("githubCollaboratorCheck", () => {
  it("approves write, maintain and admin; not read or a stranger (404)", async () => {
    const roles: Record<string, string> = { writer: "write", keeper: "maintain", reader: "read" };
    const server = createServer((request, response) => {
      const login = request.url?.match(/collaborators\/([^/]+)\/permission$/)?.[1] ?? "";
      const role = roles[login];
      expect(request.headers.authorization).toBe("Bearer ghp_checkcheckcheckcheckcheckcheck1234");
      response.writeHead(role ? 200 : 404, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          role ? { permission: role === "maintain" ? "write" : role, role_name: role } : { message: "Not Found" },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const check = githubCollaboratorCheck({
        token: "ghp_checkcheckcheckcheckcheckcheck1234",
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      const answers = await Promise.all(
        ["writer", "keeper", "reader", "stranger"].map((login) => check("octo", "widgets", login)),
      );
      expect(answers).toEqual([true, true, false, false]);
    } finally {
      server.close();
    }
  });
});
