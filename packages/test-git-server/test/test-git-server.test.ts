import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestGitServer, type TestGitServer } from "../src/index.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";

// A credential helper that reads the token from the environment when git asks, as the pod script does.
const HELPER = '!f() { test "$1" = get || exit 0; echo username=x-access-token; echo "password=$TEST_GIT_TOKEN"; }; f';

function git(args: string[], cwd: string, token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: cwd,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
  };
  if (token !== undefined) {
    Object.assign(env, {
      TEST_GIT_TOKEN: token,
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "credential.helper",
      GIT_CONFIG_VALUE_0: HELPER,
    });
  }
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("startTestGitServer", () => {
  let server: TestGitServer;
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "test-git-client-"));
  });
  afterEach(async () => {
    await server?.close();
    await rm(work, { recursive: true, force: true });
  });

  it("serves a clone to a client that sends the token as basic auth", async () => {
    server = await startTestGitServer({ token: TOKEN });
    await server.createRepo("owner/repo", { "README.md": "hello\n", "src/app.js": "1\n" });

    const clone = await git(["clone", "--quiet", server.repoUrl("owner/repo"), "out"], work, TOKEN);
    expect(clone.code, clone.stderr).toBe(0);
    expect(await readFile(join(work, "out", "src", "app.js"), "utf8")).toBe("1\n");
    expect(server.requests.some((r) => r.authorized && r.username === "x-access-token")).toBe(true);
  });

  it("answers 401 with a Basic challenge without credentials, and git reports the failure", async () => {
    server = await startTestGitServer({ token: TOKEN });
    await server.createRepo("owner/repo", { "README.md": "hello\n" });

    const response = await fetch(`${server.repoUrl("owner/repo")}/info/refs?service=git-upload-pack`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm="/);

    const clone = await git(["clone", "--quiet", server.repoUrl("owner/repo"), "out"], work);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/could not read Username|Authentication failed/);
  });

  it("refuses a wrong token and never records the Authorization header", async () => {
    server = await startTestGitServer({ token: TOKEN });
    await server.createRepo("owner/repo", { "README.md": "hello\n" });
    const wrong = "ghp_wrongwrongwrongwrongwrongwrong0000";

    const clone = await git(["clone", "--quiet", server.repoUrl("owner/repo"), "out"], work, wrong);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/Authentication failed/);
    expect(server.requests.every((r) => r.status === 401 || !r.authorized)).toBe(true);
    expect(JSON.stringify(server.requests)).not.toContain(wrong);
    expect(JSON.stringify(server.requests)).not.toContain(Buffer.from(`x-access-token:${wrong}`).toString("base64"));
  });

  it("builds branches and refs/pull/N/head that a client can fetch, shallow, by SHA", async () => {
    server = await startTestGitServer({ token: TOKEN });
    let head = "";
    const repo = await server.createRepo("owner/repo", async (r) => {
      await r.commit({ "README.md": "base\n" });
      head = await r.commit({ "feature.txt": "new\n" }, { branch: "feature", from: "main", message: "add feature" });
      await r.pullRequest(7, head);
    });
    expect(await repo.resolve("refs/pull/7/head")).toBe(head);
    expect(await repo.resolve("feature")).toBe(head);

    await git(["init", "--quiet", "c"], work);
    const fetch = await git(
      ["fetch", "--quiet", "--depth=1", server.repoUrl("owner/repo"), head],
      join(work, "c"),
      TOKEN,
    );
    expect(fetch.code, fetch.stderr).toBe(0);
    const pr = await git(["ls-remote", server.repoUrl("owner/repo"), "refs/pull/7/head"], join(work, "c"), TOKEN);
    expect(pr.stdout).toContain(head);
  });

  it("can refuse fetching an unadvertised SHA over protocol v0, so clients' fallbacks can be tested", async () => {
    server = await startTestGitServer({ token: TOKEN, allowAnyShaInWant: false, protocolV2: false });
    let head = "";
    await server.createRepo("owner/repo", async (r) => {
      await r.commit({ "README.md": "base\n" });
      head = await r.commit({ "two.txt": "2\n" });
      await r.commit({ "three.txt": "3\n" });
    });
    await git(["init", "--quiet", "c"], work);
    const fetch = await git(["fetch", "--depth=1", server.repoUrl("owner/repo"), head], join(work, "c"), TOKEN);
    expect(fetch.code).not.toBe(0);
    expect(fetch.stderr).toMatch(/unadvertised object|not our ref/);
  });

  it("commits executable files and deletions on top of the parent's tree", async () => {
    server = await startTestGitServer({ token: TOKEN });
    const repo = await server.createRepo("owner/modes", { "keep.txt": "k\n", "gone.txt": "g\n" });
    const sha = await repo.commit({ "gone.txt": null, "bin/run.sh": { content: "#!/bin/sh\n", executable: true } });
    const tree = await repo.git(["ls-tree", "-r", sha]);
    expect(tree).toMatch(/^100755 blob [0-9a-f]{40}\tbin\/run\.sh$/m);
    expect(tree).toMatch(/^100644 blob [0-9a-f]{40}\tkeep\.txt$/m);
    expect(tree).not.toContain("gone.txt");
  });

  it("rejects repository names that would escape its root", async () => {
    server = await startTestGitServer({ token: TOKEN });
    await expect(server.createRepo("../evil")).rejects.toThrow(/not a repository name/);
  });
});
