// Beside pat-secret's token-leak test: the GitHub App private key, the installation tokens minted
// from it, and the PAT never show up in anything pr-feedback prints, returns, throws or sends to
// GitHub, even when GitHub fails and echoes a credential back in its message.
import { inspect } from "node:util";
import { tokenForms } from "@pr-pod/pat-secret";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createGitHubFeedback, createRunFeedback, type GitHubFeedbackOptions } from "../src/index.ts";
import { HEAD_SHA, missingFileOutcome } from "./fixtures.ts";

const PAT = "ghp_leakleakleakleakleakleakleakleak9876";
let github: TestGitHubServer;
let printed: string[];

beforeEach(async () => {
  github = await startTestGitHubServer();
  github.addPullRequest({ repo: "octo/app", number: 7, headSha: HEAD_SHA, headRef: "feature" });
  github.addToken(PAT, { kind: "pat" });
  printed = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" "));
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  await github.close();
});

function base(extra: Partial<GitHubFeedbackOptions>): GitHubFeedbackOptions {
  return {
    auth: { token: PAT },
    owner: "octo",
    repo: "app",
    sha: HEAD_SHA,
    pullNumber: 7,
    baseUrl: github.url,
    retryAfterBaseMs: 1,
    minWriteIntervalMs: 0,
    retries: 1,
    ...extra,
  };
}

function secretsIn(texts: string[], secrets: string[]): string[] {
  const forms = secrets.flatMap((secret) => tokenForms(secret)).filter((form) => form.length >= 16);
  return texts.flatMap((text) =>
    forms.filter((form) => text.includes(form)).map((form) => `${form.slice(0, 6)}… in ${text.slice(0, 80)}`),
  );
}

/** Everything a user or GitHub could see: warnings, results, console, and every request body sent. */
function everythingSeen(results: unknown[]): string[] {
  return [
    ...printed,
    ...results.map((r) => JSON.stringify(r)),
    ...results.map((r) => inspect(r, { depth: 8 })),
    ...github.calls.map((c) => JSON.stringify(c.body ?? "")),
  ];
}

it("never shows the PAT, even when GitHub echoes it in an error", async () => {
  github.faults.failNext({
    status: 422,
    count: 2,
    message: `token ${PAT} is not allowed`,
    match: { operation: "repos/create-commit-status" },
  });
  const warnings: string[] = [];
  const summary = await createGitHubFeedback(base({ comment: true, onWarning: (m) => warnings.push(m) })).finish(
    missingFileOutcome(),
  );
  expect(warnings[0]).toContain("HTTP 422: token *** is not allowed");
  expect(secretsIn([...everythingSeen([summary]), ...warnings], [PAT])).toEqual([]);
});

it("never shows the App's private key or the installation tokens it mints, when calls fail", async () => {
  const app = github.addApp({ permissions: { checks: "write", statuses: "write", pull_requests: "write" } });
  const auth = { app: { appId: app.appId, privateKey: app.privateKey, installationId: app.installationId } };
  github.faults.failNext({ status: 500, count: 10, match: { operation: "checks/update" } });
  const warnings: string[] = [];
  const feedback = createGitHubFeedback(base({ auth, comment: true, onWarning: (m) => warnings.push(m) }));
  feedback.logLine("pr-pod: building");
  const summary = await feedback.finish(missingFileOutcome());
  expect(summary.via).toBe("commit-status");
  expect(warnings[0]).toMatch(/completing check run "pr-pod" .* failed with HTTP 500/);
  expect(github.installationTokens.length).toBeGreaterThan(0);
  // A wrong installation and a wrong app id: the JWT and token mint fail.
  const wrongs = [
    { ...auth.app, installationId: 999_999 },
    { ...auth.app, appId: 424_242 },
  ];
  const more = [];
  for (const wrong of wrongs)
    more.push(
      await createGitHubFeedback(base({ auth: { app: wrong }, onWarning: (m) => warnings.push(m) })).finish(
        missingFileOutcome(),
      ),
    );
  expect(more.map((m) => m.via)).toEqual(["none", "none"]);
  const keyLines = app.privateKey.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
  expect(
    secretsIn([...everythingSeen([summary, ...more]), ...warnings], [...github.installationTokens, ...keyLines]),
  ).toEqual([]);
});

it("never puts the private key in the error for half-set-up App settings", () => {
  const app = github.addApp();
  const errors: string[] = [];
  for (const env of [
    { GITHUB_APP_ID: "12", GITHUB_APP_PRIVATE_KEY: app.privateKey },
    { GITHUB_APP_ID: "abc", GITHUB_APP_PRIVATE_KEY: app.privateKey, GITHUB_APP_INSTALLATION_ID: "3" },
  ]) {
    try {
      createRunFeedback(
        { owner: "octo", repo: "app", headSha: HEAD_SHA, number: 7 } as Parameters<typeof createRunFeedback>[0],
        { settings: {}, env },
      );
    } catch (error) {
      errors.push(inspect(error), JSON.stringify(error), String((error as Error).stack));
    }
  }
  expect(errors.join("\n")).toMatch(/GITHUB_APP_INSTALLATION_ID missing/);
  expect(errors.join("\n")).toMatch(/the GitHub App id must be a number/);
  const keyLines = app.privateKey.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
  expect(secretsIn(errors, keyLines)).toEqual([]);
});
