import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  isValidBranchName,
  normalizeRemoteUrl,
  PrContextError,
  plainHttpTokenWarning,
  pullRequestContextFromCheckout,
  pullRequestContextFromFlags,
} from "../src/index.ts";
import { HEAD_SHA } from "./github-payloads.ts";

const run = promisify(execFile);

function thrown(fn: () => unknown): PrContextError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PrContextError);
    return error as PrContextError;
  }
  throw new Error("expected an error");
}

describe("pullRequestContextFromFlags (offline)", () => {
  const flags = { repo: "octo-org/hello-world", pr: 7, sha: HEAD_SHA, headRef: "feature/login", baseRef: "main" };

  it("builds the context from --repo --pr --sha --head-ref --base-ref alone", () => {
    expect(pullRequestContextFromFlags(flags)).toEqual({
      owner: "octo-org",
      repo: "hello-world",
      number: 7,
      title: "",
      author: "",
      headSha: HEAD_SHA,
      headRef: "feature/login",
      headCloneUrl: "https://github.com/octo-org/hello-world.git",
      baseRef: "main",
      baseCloneUrl: "https://github.com/octo-org/hello-world.git",
      mergeRef: "refs/pull/7/merge",
      isFork: false,
      draft: false,
      state: "open",
      htmlUrl: "https://github.com/octo-org/hello-world/pull/7",
      source: "offline",
    });
  });

  it("takes a fork's clone URL, a GitHub Enterprise server URL, refs/heads/ prefixes and an upper-case SHA", () => {
    const context = pullRequestContextFromFlags({
      ...flags,
      sha: HEAD_SHA.toUpperCase(),
      headRef: "refs/heads/feature/login",
      headCloneUrl: "https://ghe.example.com/forker/hello-world.git",
      serverUrl: "https://ghe.example.com",
    });
    expect(context).toMatchObject({
      headSha: HEAD_SHA,
      headRef: "feature/login",
      isFork: true,
      headCloneUrl: "https://ghe.example.com/forker/hello-world.git",
      baseCloneUrl: "https://ghe.example.com/octo-org/hello-world.git",
    });
  });

  it("takes one --clone-url as the repository's URL, head and base alike: not a fork", () => {
    const context = pullRequestContextFromFlags({ ...flags, cloneUrl: "http://git.internal/acme/webshop.git" });
    expect(context).toMatchObject({
      isFork: false,
      headCloneUrl: "http://git.internal/acme/webshop.git",
      baseCloneUrl: "http://git.internal/acme/webshop.git",
    });
  });

  it("makes a fork only from an explicit head repository, on the same server as --clone-url", () => {
    const context = pullRequestContextFromFlags({
      ...flags,
      cloneUrl: "http://git.internal:8090/git/acme/webshop.git",
      headRepo: "forker/webshop",
    });
    expect(context).toMatchObject({
      isFork: true,
      headCloneUrl: "http://git.internal:8090/git/forker/webshop.git",
      baseCloneUrl: "http://git.internal:8090/git/acme/webshop.git",
    });
    expect(pullRequestContextFromFlags({ ...flags, headRepo: "forker/hello-world" })).toMatchObject({
      isFork: true,
      headCloneUrl: "https://github.com/forker/hello-world.git",
    });
    expect(pullRequestContextFromFlags({ ...flags, headRepo: "Octo-Org/Hello-World" }).isFork).toBe(false);
    const both = thrown(() =>
      pullRequestContextFromFlags({ ...flags, headRepo: "forker/x", headCloneUrl: "https://github.com/forker/x.git" }),
    );
    expect(both.code).toBe("INVALID_REPO");
    expect(both.message).toContain("--head-repo");
    expect(thrown(() => pullRequestContextFromFlags({ ...flags, headRepo: "forker" })).code).toBe("INVALID_REPO");
    expect(thrown(() => pullRequestContextFromFlags({ ...flags, headCloneUrl: "git@github.com:f/x.git" })).code).toBe(
      "INVALID_REPO",
    );
  });

  it("names the bad value and the fix for each flag", () => {
    const repo = thrown(() => pullRequestContextFromFlags({ ...flags, repo: "octo-org" }));
    expect(repo.code).toBe("INVALID_REPO");
    expect(repo.message).toContain('"octo-org"');
    expect(repo.message).toContain("owner/name");
    expect(thrown(() => pullRequestContextFromFlags({ ...flags, repo: "bad owner/x" })).code).toBe("INVALID_REPO");
    expect(thrown(() => pullRequestContextFromFlags({ ...flags, pr: -1 })).code).toBe("INVALID_PR_NUMBER");
    expect(thrown(() => pullRequestContextFromFlags({ ...flags, pr: 2 ** 31 })).code).toBe("INVALID_PR_NUMBER");
    const sha = thrown(() => pullRequestContextFromFlags({ ...flags, sha: "6dcb09b" }));
    expect(sha.code).toBe("INVALID_SHA");
    expect(sha.message).toContain("git rev-parse HEAD");
    const ref = thrown(() => pullRequestContextFromFlags({ ...flags, headRef: "feature login" }));
    expect(ref.code).toBe("INVALID_REF");
    expect(ref.message).toContain('"feature login"');
    const url = thrown(() =>
      pullRequestContextFromFlags({ ...flags, cloneUrl: "https://user:ghp_testtesttest@github.com/a/b.git" }),
    );
    expect(url.message).not.toContain("ghp_testtesttest");
  });

  it("follows git check-ref-format for branch names", () => {
    for (const good of ["main", "feature/login", "release-1.2", "ü/🚀", "a@b", "@", "a/HEAD", "x".repeat(200)]) {
      expect(isValidBranchName(good), good).toBe(true);
    }
    for (const bad of [
      "",
      "-x",
      "a..b",
      "a/",
      "/a",
      "a//b",
      "a.lock",
      ".hidden",
      "a/.b",
      "a b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "HEAD",
      "a@{1}",
      "a.",
      "tab\tx",
    ]) {
      expect(isValidBranchName(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("normalizeRemoteUrl", () => {
  it.each([
    ["https://github.com/octo-org/hello-world.git", "https://github.com/octo-org/hello-world.git"],
    ["https://github.com/octo-org/hello-world", "https://github.com/octo-org/hello-world.git"],
    [
      "https://x-access-token:ghp_testtesttest@github.com/octo-org/hello-world.git",
      "https://github.com/octo-org/hello-world.git",
    ],
    ["git@github.com:octo-org/hello-world.git", "https://github.com/octo-org/hello-world.git"],
    ["ssh://git@github.com/octo-org/hello-world.git", "https://github.com/octo-org/hello-world.git"],
    ["ssh://git@ghe.example.com:2222/octo-org/hello-world.git", "https://ghe.example.com/octo-org/hello-world.git"],
    ["git://github.com/octo-org/hello-world.git", "https://github.com/octo-org/hello-world.git"],
    ["https://ghe.example.com:8443/octo-org/hello-world/", "https://ghe.example.com:8443/octo-org/hello-world.git"],
    // Plain http is what the remote serves, on any host: kept as it is, with its port.
    ["http://127.0.0.1:41234/octo/app.git", "http://127.0.0.1:41234/octo/app.git"],
    ["http://127.8.9.10/octo/app", "http://127.8.9.10/octo/app.git"],
    ["http://localhost:8080/octo/app.git", "http://localhost:8080/octo/app.git"],
    ["http://x:ghp_testtesttest@[::1]:3000/octo/app.git", "http://[::1]:3000/octo/app.git"],
    ["http://git.internal:8090/acme/webshop.git", "http://git.internal:8090/acme/webshop.git"],
    ["http://128.0.0.1/octo/app.git", "http://128.0.0.1/octo/app.git"],
  ])("%s → %s", (remote, clone) => {
    expect(normalizeRemoteUrl(remote).cloneUrl).toBe(clone);
  });

  it("warns once when the token would cross the network over plain http, never for loopback or https", () => {
    const http = "http://git.internal:8090/acme/webshop.git";
    const warning = plainHttpTokenWarning({ headCloneUrl: http, baseCloneUrl: http });
    expect(warning).toContain("plain HTTP to git.internal:8090");
    expect(warning?.match(/git\.internal/g)).toHaveLength(1);
    expect(plainHttpTokenWarning({ headCloneUrl: "http://10.0.0.5/a/b.git", baseCloneUrl: http })).toContain(
      "10.0.0.5 and git.internal:8090",
    );
    for (const safe of [
      "http://127.0.0.1:41234/octo/app.git",
      "http://localhost/a/b.git",
      "https://git.internal/a/b.git",
    ]) {
      expect(plainHttpTokenWarning({ headCloneUrl: safe, baseCloneUrl: safe }), safe).toBeUndefined();
    }
  });

  it("rejects a local path and hides credentials when it cannot parse a URL", () => {
    expect(() => normalizeRemoteUrl("/srv/git/hello-world.git")).toThrow(/owner\/name/);
    const error = thrown(() => normalizeRemoteUrl("https://x:ghp_testtesttest@github.com/only-one-part"));
    expect(error.code).toBe("NO_REMOTE");
    expect(error.message).not.toContain("ghp_testtesttest");
  });
});

describe("pullRequestContextFromCheckout", () => {
  let dir: string;
  const git = async (...args: string[]) => (await run("git", args, { cwd: dir })).stdout.trim();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pr-context-checkout-"));
    await git("init", "-q", "-b", "main");
    await git("config", "user.email", "test@example.com");
    await git("config", "user.name", "Test");
    await git("config", "commit.gpgsign", "false");
    await writeFile(join(dir, "README.md"), "hello\n");
    await git("add", "README.md");
    await git("commit", "-q", "-m", "first");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function pushedFeatureBranch() {
    await git("remote", "add", "origin", "git@github.com:octo-org/hello-world.git");
    await git("update-ref", "refs/remotes/origin/main", "HEAD");
    await git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
    await git("switch", "-q", "-c", "feature/login");
    await writeFile(join(dir, "login.txt"), "login\n");
    await git("add", "login.txt");
    await git("commit", "-q", "-m", "login");
    await git("config", "branch.feature/login.remote", "origin");
    await git("config", "branch.feature/login.merge", "refs/heads/feature/login");
  }

  it("reads the branch, HEAD, target branch and https clone URL of a clean checkout", async () => {
    await pushedFeatureBranch();
    const head = await git("rev-parse", "HEAD");
    const main = await git("rev-parse", "main");
    const context = await pullRequestContextFromCheckout({ cwd: join(dir), pr: 12 });
    expect(context).toMatchObject({
      owner: "octo-org",
      repo: "hello-world",
      number: 12,
      headSha: head,
      headRef: "feature/login",
      baseRef: "main",
      baseSha: main,
      headCloneUrl: "https://github.com/octo-org/hello-world.git",
      source: "local-checkout",
      workTreeDirty: false,
    });
  });

  it("flags uncommitted changes and takes the target branch when given", async () => {
    await pushedFeatureBranch();
    await writeFile(join(dir, "README.md"), "changed\n");
    const context = await pullRequestContextFromCheckout({ cwd: dir, pr: 12, baseRef: "develop" });
    expect(context.workTreeDirty).toBe(true);
    expect(context.baseRef).toBe("develop");
    expect(context.baseSha).toBeUndefined();
  });

  it("explains a detached HEAD, a missing remote and a folder outside git", async () => {
    const noRemote = await pullRequestContextFromCheckout({ cwd: dir, pr: 1 }).catch((e: unknown) => e);
    expect(noRemote).toMatchObject({ code: "NO_REMOTE" });
    expect((noRemote as Error).message).toContain("git remote add origin");
    await git("switch", "-q", "--detach", "HEAD");
    expect(await pullRequestContextFromCheckout({ cwd: dir, pr: 1 }).catch((e: unknown) => e)).toMatchObject({
      code: "DETACHED_HEAD",
    });
    const outside = await mkdtemp(join(tmpdir(), "pr-context-not-git-"));
    try {
      const error = await pullRequestContextFromCheckout({ cwd: outside, pr: 1 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "NOT_A_GIT_CHECKOUT" });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
