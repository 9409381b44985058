// The pod script's clone stage under busybox sh, against a real git server that demands the token.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startTestCluster } from "@pr-pod/test-cluster";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import { createHarness, type Harness } from "./pod-script-harness.ts";
import { createPrFixtures, SEED_FILES } from "./pr-fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const WRONG_TOKEN = "ghp_wrongwrongwrongwrongwrongwrong0000";

let server: TestGitServer;
let harness: Harness;
const script = buildPrPodScript();

beforeAll(async () => {
  server = await startTestGitServer({ token: TOKEN });
  harness = await createHarness();
});
afterAll(async () => {
  await server?.close();
  await harness?.cleanup();
});

const { contextFor, envFor, prRepo } = createPrFixtures(() => server, TOKEN);

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("git", args, { cwd }, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
  );
}

describe("the pod script: clone", () => {
  it("clones the PR's head at the exact SHA, shallow, and reports it", async () => {
    const { headSha } = await prRepo("head-clone");
    await server.createRepo("acme/unused");
    const run = await harness.run({ script, env: envFor(contextFor("head-clone", headSha)) });

    expect(run.exitCode, run.log).toBe(0);
    const src = join(run.workspace, "src");
    expect(await git(["rev-parse", "HEAD"], src)).toBe(`${headSha}\n`);
    expect(await git(["rev-parse", "--is-shallow-repository"], src)).toBe("true\n");
    expect(await readFile(join(src, "feature.txt"), "utf8")).toBe("new\n");
    expect(run.report).toMatchObject({
      version: 1,
      ok: true,
      exitCode: 0,
      stage: "done",
      repo: "acme/head-clone",
      pr: 7,
      checkout: "head",
      headSha,
      sha: headSha,
      files: { found: ["package.json", "README.md", "Dockerfile"], missing: [] },
      artifacts: { dockerfiles: ["Dockerfile"], bakeFiles: [], composeFiles: [], charts: [] },
    });
    expect(JSON.parse(run.terminationMessage)).toEqual(run.report);
    expect(Object.keys(run.report!.durationsMs)).toEqual(["clone", "verify", "detect", "total"]);
    expect(run.log.trimEnd().split("\n").at(-1)).toMatch(/^::pr-pod-report::\{/);
  });

  it("falls back to the branch when the server refuses to send a bare SHA", async () => {
    const strict = await startTestGitServer({ token: TOKEN, allowAnyShaInWant: false, protocolV2: false });
    try {
      let headSha = "";
      await strict.createRepo("acme/strict", async (r) => {
        await r.commit(SEED_FILES);
        headSha = await r.commit({ "feature.txt": "one\n" }, { branch: "feature", from: "main" });
        await r.commit({ "later.txt": "pushed after the run started\n" }, { branch: "feature" });
      });
      const context = contextFor("strict", headSha, {
        headCloneUrl: strict.repoUrl("acme/strict"),
        baseCloneUrl: strict.repoUrl("acme/strict"),
      });
      const run = await harness.run({ script, env: envFor(context) });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.log).toContain("would not send commit");
      expect(run.report?.sha).toBe(headSha);
    } finally {
      await strict.close();
    }
  });

  it("finds a fork's head commit on the base repository's refs/pull/N/head when the branch is gone", async () => {
    const { headSha } = await prRepo("upstream");
    await server.createRepo("someone/fork", SEED_FILES); // the fork's branch was deleted after the PR
    const context = contextFor("upstream", headSha, {
      headCloneUrl: server.repoUrl("someone/fork"),
      headRef: "deleted-branch",
      isFork: true,
    });
    const run = await harness.run({ script, env: envFor(context) });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain("fetching refs/pull/7/head");
    expect(run.report?.sha).toBe(headSha);
  });

  it("merges the PR onto its base with --no-ff, as Prow's clonerefs does", async () => {
    const { repo, headSha } = await prRepo("merge");
    const baseSha = await repo.commit({ "base-only.txt": "moved on\n" }, { branch: "main", message: "base moved" });
    const run = await harness.run({ script, env: envFor(contextFor("merge", headSha), { PR_POD_CHECKOUT: "merge" }) });

    expect(run.exitCode, run.log).toBe(0);
    const src = join(run.workspace, "src");
    const parents = (await git(["rev-list", "--parents", "-n", "1", "HEAD"], src)).trim().split(" ");
    expect(parents.slice(1)).toEqual([baseSha, headSha]);
    expect(run.report).toMatchObject({ checkout: "merge", headSha, baseSha, sha: parents[0] });
    expect(await readFile(join(src, "base-only.txt"), "utf8")).toBe("moved on\n");
    expect(await readFile(join(src, "feature.txt"), "utf8")).toBe("new\n");
  });

  it("merges onto the base branch's current tip, not an older PR_BASE_SHA, and says which", async () => {
    const { repo, headSha, baseSha } = await prRepo("merge-moved-base");
    const tip = await repo.commit({ "later.txt": "later\n" }, { branch: "main" });
    const context = contextFor("merge-moved-base", headSha, { baseSha });
    const run = await harness.run({ script, env: envFor(context, { PR_POD_CHECKOUT: "merge" }) });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report?.baseSha).toBe(tip);
    expect(run.log).toContain(`merging onto main at its current tip ${tip}, not the event's base ${baseSha}`);
    const parents = (await git(["rev-list", "--parents", "-n", "1", "HEAD"], join(run.workspace, "src"))).trim();
    expect(parents.split(" ").slice(1)).toEqual([tip, headSha]);
  });

  it("fails a PR that conflicts with today's base even though it merged onto the event's older base", async () => {
    const { repo, headSha, baseSha } = await prRepo("merge-stale-conflict", { "README.md": "# the PR's readme\n" });
    const tip = await repo.commit({ "README.md": "# the base's new readme\n" }, { branch: "main" });
    const context = contextFor("merge-stale-conflict", headSha, { baseSha });
    const run = await harness.run({ script, env: envFor(context, { PR_POD_CHECKOUT: "merge" }) });
    expect(run.exitCode, run.log).toBe(13);
    expect(run.report).toMatchObject({ stage: "merge", baseSha: tip });
    expect(run.report?.error).toContain(`does not merge cleanly into main (${tip})`);
  });

  it("merges onto PR_BASE_SHA only when the base is pinned (PR_POD_PIN_BASE=true)", async () => {
    const { repo, headSha, baseSha } = await prRepo("merge-pinned-base");
    const tip = await repo.commit({ "later.txt": "later\n" }, { branch: "main" });
    const context = contextFor("merge-pinned-base", headSha, { baseSha });
    const run = await harness.run({
      script,
      env: envFor(context, { PR_POD_CHECKOUT: "merge", PR_POD_PIN_BASE: "true" }),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report?.baseSha).toBe(baseSha);
    expect(run.log).toContain(`merging onto the pinned base main at ${baseSha} (the branch is at ${tip} now)`);

    const headOnly = await harness.run({ script, env: envFor(context, { PR_POD_PIN_BASE: "true" }) });
    expect(headOnly.exitCode).toBe(10);
    expect(headOnly.report?.error).toContain("PR_POD_PIN_BASE=true pins the base of checkout merge");
    const noBase = envFor(contextFor("merge-pinned-base", headSha), {
      PR_POD_CHECKOUT: "merge",
      PR_POD_PIN_BASE: "true",
    });
    const unpinned = await harness.run({ script, env: noBase });
    expect(unpinned.exitCode).toBe(10);
    expect(unpinned.report?.error).toContain("PR_POD_PIN_BASE=true needs PR_BASE_SHA");
  });

  it("fails a conflicting merge with its own exit code and names the files", async () => {
    const { repo, headSha } = await prRepo("conflict", { "README.md": "# the PR's readme\n" });
    await repo.commit({ "README.md": "# the base's readme\n" }, { branch: "main" });
    const run = await harness.run({
      script,
      env: envFor(contextFor("conflict", headSha), { PR_POD_CHECKOUT: "merge" }),
    });

    expect(run.exitCode).toBe(13);
    expect(run.report).toMatchObject({ ok: false, exitCode: 13, stage: "merge" });
    expect(run.report?.error).toMatch(/PR #7 does not merge cleanly into main .*conflicts in README\.md; rebase/);
  });

  it("says the server refused the token, with exit code 11", async () => {
    const { headSha } = await prRepo("wrong-token");
    const run = await harness.run({
      script,
      env: envFor(contextFor("wrong-token", headSha), { PR_POD_GIT_TOKEN: WRONG_TOKEN }),
    });
    expect(run.exitCode).toBe(11);
    expect(run.report).toMatchObject({ exitCode: 11, stage: "clone" });
    expect(run.report?.error).toMatch(/refused the token \(HTTP 401\/403\): check that it is valid/);
    expect(run.log).not.toContain(WRONG_TOKEN);
    expect(run.terminationMessage).not.toContain(WRONG_TOKEN);
  });

  it("never sends the token to another host the clone URL redirects to", async () => {
    const { headSha } = await prRepo("redirected");
    const elsewhere = await startTestGitServer({ token: TOKEN });
    await elsewhere.createRepo("acme/redirected", SEED_FILES);
    const redirector = createServer((req, res) => {
      res.writeHead(302, { Location: `${elsewhere.url}${req.url}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = redirector.address() as AddressInfo;
      const context = contextFor("redirected", headSha, {
        headCloneUrl: `http://127.0.0.1:${port}/acme/redirected.git`,
        baseCloneUrl: server.repoUrl("acme/redirected"),
      });
      const run = await harness.run({ script, env: envFor(context) });
      expect(run.exitCode).toBe(11);
      expect(run.report?.error).toMatch(
        new RegExp(
          `sent git to another host that asked for credentials; not sending the token to 127\\.0\\.0\\.1:${new URL(elsewhere.url).port}`,
        ),
      );
      expect(elsewhere.requests.length).toBeGreaterThan(0);
      expect(elsewhere.requests.every((r) => r.username === undefined)).toBe(true);
    } finally {
      redirector.close();
      await elsewhere.close();
    }
  });

  it("says there was no token when the server asks for one", async () => {
    const { headSha } = await prRepo("no-token");
    const env = envFor(contextFor("no-token", headSha));
    delete env.PR_POD_GIT_TOKEN;
    const run = await harness.run({ script, env });
    expect(run.exitCode).toBe(11);
    expect(run.report?.error).toMatch(/asked for credentials and the pod has no token/);
  });

  it("fails with exit code 12 when the commit does not exist, and asks whether the PR was force-pushed", async () => {
    await prRepo("missing-sha");
    const run = await harness.run({ script, env: envFor(contextFor("missing-sha", "f".repeat(40))) });
    expect(run.exitCode).toBe(12);
    expect(run.report?.error).toMatch(/could not fetch commit f{40}/);
    expect(run.report?.error).toContain("was the PR force-pushed?");
  });

  describe("says at once, with exit code 19, that the git server cannot be reached", () => {
    /** A run whose clone URLs point at `url`, for head and merge checkouts. */
    async function unreachable(name: string, url: string, checkout: "head" | "merge" = "head") {
      const { headSha } = await prRepo(name);
      const context = contextFor(name, headSha, { headCloneUrl: url, baseCloneUrl: url });
      const run = await harness.run({ script, env: envFor(context, { PR_POD_CHECKOUT: checkout }) });
      expect(run.exitCode, run.log).toBe(19);
      expect(run.report).toMatchObject({ ok: false, exitCode: 19, stage: "clone" });
      expect(run.report?.error).toContain(`cannot reach the git server at ${url}: `);
      // No fallback to the branch or refs/pull/N/head, and no force-push hint: the commit is not missing.
      expect(run.log).not.toContain("fetching branch");
      expect(run.log).not.toContain("refs/pull/");
      expect(run.report?.error).not.toContain("force-pushed");
      expect(run.log).not.toContain(TOKEN);
      return run.report?.error ?? "";
    }

    it("when nothing listens on the port (connection refused)", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      const url = `http://127.0.0.1:${port}/acme/refused.git`;
      expect(await unreachable("refused", url)).toMatch(/Failed to connect|Connection refused|Couldn't connect/);
      expect(await unreachable("refused-merge", url, "merge")).toMatch(/Failed to connect|Couldn't connect/);
    });

    it("when the TLS handshake fails (https:// to a plain-HTTP git server)", async () => {
      const url = server.repoUrl("acme/tls-handshake").replace(/^http:/, "https:");
      expect(await unreachable("tls-handshake", url)).toMatch(/TLS|SSL|handshake/i);
    });

    it("when a TLS-speaking port is given an untrusted certificate or plain HTTP", async () => {
      const tlsPort = await startTestCluster();
      try {
        const port = new URL(tlsPort.url).port;
        const https = `https://127.0.0.1:${port}/acme/tls-port.git`;
        expect(await unreachable("tls-port", https)).toMatch(/certificate/i);
        const http = `http://127.0.0.1:${port}/acme/tls-port-plain.git`;
        expect(await unreachable("tls-port-plain", http)).toMatch(/Empty reply|Recv failure|reset/i);
      } finally {
        await tlsPort.close();
      }
    });
  });

  it("rejects bad configuration with exit code 10 and names the variable", async () => {
    const { headSha } = await prRepo("bad-config");
    const context = contextFor("bad-config", headSha);
    const bogus = await harness.run({ script, env: envFor(context, { PR_POD_CHECKOUT: "rebase" }) });
    expect(bogus.exitCode).toBe(10);
    expect(bogus.report?.error).toBe('PR_POD_CHECKOUT is "rebase": use head or merge');
    const credsInUrl = await harness.run({
      script,
      env: envFor(context, { PR_CLONE_URL: `http://user:${TOKEN}@127.0.0.1:1/x.git` }),
    });
    expect(credsInUrl.exitCode).toBe(10);
    expect(credsInUrl.log).not.toContain(TOKEN);
    expect(credsInUrl.report?.error).toMatch(/PR_CLONE_URL carries credentials/);
  });
});
