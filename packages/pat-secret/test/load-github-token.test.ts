import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gitHubTokenKind, loadGitHubToken, PatSecretError } from "../src/index.ts";

const PAT = "ghp_testtesttesttesttesttesttesttest1234";
const ACTIONS_TOKEN = "ghs_testtesttesttesttesttesttesttest5678";
const FILE_TOKEN = "github_pat_11AAAAAAA0testtesttesttest_testtesttesttesttesttesttest";

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), "pat-secret-repo-"));
  await mkdir(join(repo, ".git"));
  await mkdir(join(repo, "web"));
  await mkdir(join(repo, "packages", "deep", "folder"), { recursive: true });
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<PatSecretError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PatSecretError);
  return error as PatSecretError;
}

describe("loadGitHubToken", () => {
  it("prefers the option, then GITHUB_PAT, then GITHUB_TOKEN, then the env file", async () => {
    await writeFile(join(repo, "web", ".env"), `GITHUB_PAT=${FILE_TOKEN}\n`);
    const env = { GITHUB_PAT: PAT, GITHUB_TOKEN: ACTIONS_TOKEN };
    expect(await loadGitHubToken({ token: "ghp_optionoptionoptionoptionoption12", env, cwd: repo })).toMatchObject({
      source: "option",
      kind: "classic",
    });
    expect(await loadGitHubToken({ env, cwd: repo })).toEqual({ token: PAT, source: "GITHUB_PAT", kind: "classic" });
    expect(await loadGitHubToken({ env: { GITHUB_TOKEN: ACTIONS_TOKEN, GITHUB_PAT: "  " }, cwd: repo })).toEqual({
      token: ACTIONS_TOKEN,
      source: "GITHUB_TOKEN",
      kind: "app-installation",
    });
    expect(await loadGitHubToken({ env: {}, cwd: repo })).toEqual({
      token: FILE_TOKEN,
      source: `env-file:${join(repo, "web", ".env")}`,
      kind: "fine-grained",
    });
  });

  it("finds web/.env at the repository root from a folder deep inside it", async () => {
    await writeFile(join(repo, "web", ".env"), `GITHUB_TOKEN=${PAT}\n`);
    const loaded = await loadGitHubToken({ env: {}, cwd: join(repo, "packages", "deep", "folder") });
    expect(loaded.source).toBe(`env-file:${join(repo, "web", ".env")}`);
    expect(loaded.token).toBe(PAT);
  });

  it("reads env files the way Node does: export prefix, quotes, comments", async () => {
    await writeFile(
      join(repo, "custom.env"),
      `# the token for pr-pod\nOTHER=1\nexport GITHUB_PAT="${PAT}" # classic token\n`,
    );
    const loaded = await loadGitHubToken({ env: {}, cwd: repo, envFile: "custom.env" });
    expect(loaded).toEqual({ token: PAT, source: `env-file:${join(repo, "custom.env")}`, kind: "classic" });
  });

  it("lists every place it looked when there is no token, without a file or with an empty one", async () => {
    const missing = await failure(loadGitHubToken({ env: {}, cwd: repo }));
    expect(missing.code).toBe("NO_TOKEN");
    expect(missing.message).toBe(
      "no GitHub token: looked in the token option, GITHUB_PAT, GITHUB_TOKEN and web/.env (no such file); set GITHUB_PAT, or add GITHUB_PAT=<token> to web/.env",
    );
    await writeFile(join(repo, "web", ".env"), "OTHER=1\n");
    const empty = await failure(loadGitHubToken({ env: {}, cwd: repo }));
    expect(empty.message).toContain("no GITHUB_PAT or GITHUB_TOKEN in it");
  });

  it("fails on an env file given explicitly that does not exist", async () => {
    const error = await failure(loadGitHubToken({ env: {}, cwd: repo, envFile: "nope/.env" }));
    expect(error.code).toBe("ENV_FILE_UNREADABLE");
    expect(error.message).toContain("nope/.env");
  });

  it("warns about a token of unknown shape without showing it, and uses it", async () => {
    const odd = "sometokenthatisnotgithubshaped0123456789";
    const warnings: string[] = [];
    const loaded = await loadGitHubToken({ env: { GITHUB_PAT: odd }, warn: (m) => warnings.push(m) });
    expect(loaded).toEqual({ token: odd, source: "GITHUB_PAT", kind: "unknown" });
    expect(warnings).toEqual([
      "the GitHub token from GITHUB_PAT does not look like a GitHub token (expected a ghp_, github_pat_, ghs_, gho_, ghu_ or ghr_ prefix); using it anyway",
    ]);
    const quiet: string[] = [];
    await loadGitHubToken({ env: { GITHUB_PAT: PAT }, warn: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
  });

  it("rejects a token with whitespace inside (a paste with a line break), without showing it", async () => {
    const error = await failure(loadGitHubToken({ token: "ghp_testtest\ntesttesttesttesttest" }));
    expect(error.code).toBe("INVALID_TOKEN");
    expect(error.message).not.toContain("ghp_testtest");
  });
});

describe("gitHubTokenKind", () => {
  it.each([
    ["ghp_testtesttesttesttesttesttesttest1234", "classic"],
    ["github_pat_11AAAAAAA0testtesttesttest_testtest", "fine-grained"],
    ["ghs_testtesttesttesttesttesttesttest1234", "app-installation"],
    ["gho_testtesttesttesttesttesttesttest1234", "oauth"],
    ["ghu_testtesttesttesttesttesttesttest1234", "app-user"],
    ["ghr_testtesttesttesttesttesttesttest1234", "app-refresh"],
    ["ghp_", "unknown"],
    ["0123456789abcdef0123456789abcdef01234567", "unknown"],
  ])("%s is %s", (token, kind) => {
    expect(gitHubTokenKind(token)).toBe(kind);
  });
});
