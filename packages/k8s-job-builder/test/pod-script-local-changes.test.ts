// The pod script's local-changes stage (`pr-pod run --source`) under busybox sh: after the clone of the pushed
// head from the real git server, the unpushed commits come from a git bundle and the uncommitted work from a
// binary diff, both in a folder standing in for the mounted ConfigMap.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript, LOCAL_BUNDLE_KEY, LOCAL_DIFF_KEY, PR_POD_EXIT_CODES } from "../src/index.ts";
import { createHarness, type Harness } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255, 0, 10, 13]);
const script = buildPrPodScript();

let server: TestGitServer;
let harness: Harness;
let scratch: string;

beforeAll(async () => {
  server = await startTestGitServer({ token: TOKEN });
  harness = await createHarness();
  scratch = await mkdtemp(join(tmpdir(), "pod-script-local-"));
});
afterAll(async () => {
  await server?.close();
  await harness?.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

const { contextFor, envFor, prRepo } = createPrFixtures(() => server, TOKEN);

function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile(
      "git",
      ["-c", "user.name=dev", "-c", "user.email=dev@example.com", ...args],
      { cwd, env: { ...process.env, ...env }, encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(stderr.toString())) : resolve(stdout)),
    ),
  );
}
const gitText = async (args: string[], cwd: string) => (await git(args, cwd)).toString("utf8").trim();

/** A developer's checkout of the PR branch: one commit not pushed, a binary file changed and one added. */
async function localCheckout(name: string) {
  const { repo, headSha } = await prRepo(name, { "feature.txt": "new\n", "logo.png": "old" });
  const checkout = join(scratch, name);
  await git(["clone", "--quiet", "--branch", "feature", repo.path, checkout], scratch);
  await writeFile(join(checkout, "unpushed.txt"), "committed, not pushed\n");
  await git(["add", "unpushed.txt"], checkout);
  await git(["commit", "--quiet", "-m", "not pushed yet"], checkout);
  const localHead = await gitText(["rev-parse", "HEAD"], checkout);
  await writeFile(join(checkout, "logo.png"), BINARY);
  await writeFile(join(checkout, "untracked.bin"), BINARY);
  await writeFile(join(checkout, "feature.txt"), "new\nand edited\n");
  return { checkout, pushedSha: headSha, localHead };
}

/** What the CLI packs: a bundle of pushed..HEAD and a binary diff of the work tree (untracked included). */
async function pack(checkout: string, pushedSha: string, into: string) {
  await mkdir(into, { recursive: true });
  if ((await gitText(["rev-parse", "HEAD"], checkout)) !== pushedSha)
    await git(["bundle", "create", "--quiet", join(into, LOCAL_BUNDLE_KEY), "HEAD", `^${pushedSha}`], checkout);
  const index = join(into, "..", `${Date.now()}-index`);
  await git(["read-tree", "HEAD"], checkout, { GIT_INDEX_FILE: index });
  await git(["add", "--all"], checkout, { GIT_INDEX_FILE: index });
  const diff = await git(["diff", "--cached", "--binary", "HEAD"], checkout, { GIT_INDEX_FILE: index });
  await writeFile(join(into, LOCAL_DIFF_KEY), diff);
  await rm(index, { force: true });
}

/** The pod script for PR #7 of acme/<name> at `sha`, with `changes` as the mounted ConfigMap's folder. */
function runWithChanges(name: string, sha: string, changes: string, env: Record<string, string> = {}) {
  return harness.run({ script, env: envFor(contextFor(name, sha), { PR_POD_LOCAL_CHANGES: changes, ...env }) });
}

const codeOf = (name: string) => PR_POD_EXIT_CODES.find((entry) => entry.name === name)!.code;

describe("the pod script: local changes (run --source)", () => {
  it("fetches the unpushed commits from the bundle, applies the binary diff, then verifies the local tree", async () => {
    const { checkout, pushedSha, localHead } = await localCheckout("local-ok");
    const changes = join(scratch, "local-ok-changes");
    await pack(checkout, pushedSha, changes);
    const run = await runWithChanges("local-ok", pushedSha, changes, { PR_POD_LOCAL_HEAD_SHA: localHead });

    expect(run.exitCode, run.log).toBe(0);
    const src = join(run.workspace, "src");
    expect(await gitText(["rev-parse", "HEAD"], src)).toBe(localHead);
    expect(await readFile(join(src, "unpushed.txt"), "utf8")).toBe("committed, not pushed\n");
    expect((await readFile(join(src, "logo.png"))).equals(BINARY)).toBe(true);
    expect((await readFile(join(src, "untracked.bin"))).equals(BINARY)).toBe(true);
    expect(await readFile(join(src, "feature.txt"), "utf8")).toBe("new\nand edited\n");
    expect(run.report).toMatchObject({ ok: true, stage: "done", headSha: pushedSha, sha: localHead });
    expect(Object.keys(run.report!.durationsMs)).toContain("localChanges");
    // Applied after the token was dropped: the log says so in this order.
    expect(run.log.indexOf("checked out")).toBeLessThan(run.log.indexOf("applying the unpushed commits"));
    expect(run.log).not.toContain(TOKEN);
  });

  it("applies a diff alone when nothing is unpushed", async () => {
    const { checkout, pushedSha } = await localCheckout("local-diff-only");
    await git(["reset", "--quiet", "--soft", pushedSha], checkout); // the commit's file becomes uncommitted
    const changes = join(scratch, "local-diff-only-changes");
    await pack(checkout, pushedSha, changes);
    const run = await runWithChanges("local-diff-only", pushedSha, changes);
    expect(run.exitCode, run.log).toBe(0);
    const src = join(run.workspace, "src");
    expect(await gitText(["rev-parse", "HEAD"], src)).toBe(pushedSha);
    expect(await readFile(join(src, "unpushed.txt"), "utf8")).toBe("committed, not pushed\n");
    expect((await readFile(join(src, "untracked.bin"))).equals(BINARY)).toBe(true);
  });

  it("fails with LOCAL_BUNDLE and a clear error when the bundle does not fit on the pushed head", async () => {
    const { checkout, pushedSha, localHead } = await localCheckout("local-bad-bundle");
    const changes = join(scratch, "local-bad-bundle-changes");
    await pack(checkout, pushedSha, changes);
    // The upstream was rebased: the pod clones a head the bundle was not made against.
    const { headSha: otherHead } = await prRepo("local-bad-bundle-rebased", { "feature.txt": "rebased\n" });
    const run = await runWithChanges("local-bad-bundle-rebased", otherHead, changes, {
      PR_POD_LOCAL_HEAD_SHA: localHead,
    });
    expect(run.exitCode, run.log).toBe(codeOf("LOCAL_BUNDLE"));
    expect(run.report).toMatchObject({ ok: false, stage: "clone", exitCode: 17 });
    expect(run.report?.error).toMatch(/could not fetch the unpushed commits from local\.bundle on top of [0-9a-f]{40}/);
    expect(run.report?.error).toMatch(/rebased or force-pushed/);
  });

  it("fails with LOCAL_BUNDLE when the file is not a bundle at all", async () => {
    const { headSha: pushedSha } = await prRepo("local-garbage");
    const changes = join(scratch, "local-garbage-changes");
    await mkdir(changes, { recursive: true });
    await writeFile(join(changes, LOCAL_BUNDLE_KEY), "not a bundle\n");
    const run = await runWithChanges("local-garbage", pushedSha, changes);
    expect(run.exitCode, run.log).toBe(17);
    expect(run.report?.error).toContain("local.bundle");
  });

  it("fails with LOCAL_DIFF naming the conflict when the diff does not apply", async () => {
    const { checkout, pushedSha, localHead } = await localCheckout("local-conflict");
    const changes = join(scratch, "local-conflict-changes");
    await pack(checkout, pushedSha, changes);
    // A diff made against another version of feature.txt.
    await writeFile(
      join(changes, LOCAL_DIFF_KEY),
      "diff --git a/feature.txt b/feature.txt\n--- a/feature.txt\n+++ b/feature.txt\n@@ -1 +1 @@\n-something else\n+mine\n",
    );
    const run = await runWithChanges("local-conflict", pushedSha, changes, { PR_POD_LOCAL_HEAD_SHA: localHead });
    expect(run.exitCode, run.log).toBe(codeOf("LOCAL_DIFF"));
    expect(run.report).toMatchObject({ ok: false, stage: "clone", exitCode: 18 });
    expect(run.report?.error).toMatch(
      /the uncommitted changes \(local\.diff\) do not apply to [0-9a-f]{40}: .*feature\.txt/,
    );
  });

  it("refuses local changes with checkout merge (config error)", async () => {
    const { headSha: pushedSha } = await prRepo("local-merge");
    const changes = join(scratch, "local-merge-changes");
    await mkdir(changes, { recursive: true });
    const run = await runWithChanges("local-merge", pushedSha, changes, { PR_POD_CHECKOUT: "merge" });
    expect(run.exitCode, run.log).toBe(10);
    expect(run.report?.error).toContain("checkout head only");
  });
});
