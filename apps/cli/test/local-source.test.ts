// --source: what only exists in the local checkout (unpushed commits as a bundle, uncommitted and
// untracked changes as a binary diff) reproduces the work tree exactly on a clone of the pushed
// commit, leaves the user's index alone, and is refused over the 1 MiB ConfigMap limit with its size.
// The spawned binary runs it end to end: the real pod script applies both in the test cluster.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../src/cli-error.ts";
import { checkLocalChangesFit, collectLocalChanges } from "../src/local-source.ts";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli } from "./cli-process.ts";

// Asynchronous on purpose: the git server runs in this process, so a synchronous git would deadlock it.
const run = promisify(execFile);
const git = async (cwd: string, ...args: string[]) =>
  (
    await run("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" })
  ).stdout.trim();

let scratch: string;
let fixture: CliCluster;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "pr-pod-cli-source-"));
  fixture = await startCliCluster();
});
afterAll(async () => {
  await fixture?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A checkout of the fixture's `good` branch, tracking it upstream on the local git server. */
async function checkout(name: string): Promise<string> {
  const url = fixture.git.repoUrl("octo/app").replace("http://", `http://x-access-token:${TEST_TOKEN}@`);
  const directory = join(scratch, name);
  await git(scratch, "clone", "--quiet", "--branch", "good", url, directory);
  // Keep the credential out of the remote URL pr-context reads.
  await git(directory, "remote", "set-url", "origin", fixture.git.repoUrl("octo/app"));
  return directory;
}

function treeOf(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || path.includes(`${join(directory, ".git")}`)) continue;
    files[path.slice(directory.length + 1)] = readFileSync(path).toString("base64");
  }
  return files;
}

describe("local changes", () => {
  it("rebuild the work tree on a clone of the pushed commit, and leave the index as it was", async () => {
    const directory = await checkout("work");
    writeFileSync(join(directory, "committed.txt"), "an unpushed commit\n");
    await git(directory, "add", "committed.txt");
    await git(directory, "commit", "--quiet", "-m", "unpushed");
    writeFileSync(join(directory, "README.md"), "# app, edited\n");
    writeFileSync(join(directory, "staged.txt"), "staged\n");
    await git(directory, "add", "staged.txt");
    writeFileSync(join(directory, "untracked.bin"), randomBytes(2048));
    unlinkSync(join(directory, "package.json"));
    const indexBefore = await git(directory, "diff", "--cached", "--name-only");

    const changes = await collectLocalChanges(directory);
    expect(changes.unpushedCommits).toBe(1);
    expect(changes.pushedSha).toBe(fixture.sha("good"));
    expect(changes.bundle).toBeDefined();
    expect(changes.diff).toBeDefined();
    expect(await git(directory, "diff", "--cached", "--name-only")).toBe(indexBefore);

    const mount = join(scratch, "mount");
    mkdirSync(mount);
    writeFileSync(join(mount, "local.bundle"), changes.bundle!);
    writeFileSync(join(mount, "local.diff"), changes.diff!);
    const pod = join(scratch, "pod-clone");
    await git(
      scratch,
      "clone",
      "--quiet",
      fixture.git.repoUrl("octo/app").replace("http://", `http://x:${TEST_TOKEN}@`),
      pod,
    );
    await git(pod, "checkout", "--quiet", "--detach", changes.pushedSha);
    // The two git commands the pod script runs (k8s-job-builder tests the script itself).
    await git(pod, "fetch", "--quiet", join(mount, "local.bundle"), "HEAD");
    await git(pod, "checkout", "--quiet", "--detach", "FETCH_HEAD");
    await git(pod, "apply", "--binary", join(mount, "local.diff"));
    expect(await git(pod, "rev-parse", "HEAD")).toBe(changes.headSha);
    expect(treeOf(pod)).toEqual(treeOf(directory));
  });

  it("are refused over the 1 MiB ConfigMap limit, naming the size", async () => {
    const directory = await checkout("big");
    writeFileSync(join(directory, "big.bin"), randomBytes(900 * 1024));
    const changes = await collectLocalChanges(directory);
    let error: unknown;
    try {
      checkLocalChangesFit(changes);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe("LOCAL_CHANGES_TOO_LARGE");
    expect((error as CliError).message).toMatch(
      /the local changes are 1\.\d\d MiB once encoded .* over the 1\.00 MiB ConfigMap limit/,
    );
  });
});

describe("pr-pod run --source", () => {
  it("builds a clean checkout at its pushed head", async () => {
    const directory = await checkout("clean");
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        "--source",
        directory,
        "--pr",
        "61",
        "--clone-url",
        fixture.git.repoUrl("octo/app"),
        "--kubeconfig",
        fixture.kubeconfigPath,
      ],
      { env: { GITHUB_PAT: TEST_TOKEN } },
    );
    expect(stderr).toContain("--source: nothing unpushed or uncommitted");
    expect(stdout).toContain(`✔ succeeded octo/app#61 at ${fixture.sha("good").slice(0, 7)}`);
    expect(code).toBe(0);
  });

  it("finds the branch's open PR through the GitHub API when --pr is not given", async () => {
    const github = await startTestGitHubServer();
    try {
      github.addToken(TEST_TOKEN, { kind: "pat" }, "pat");
      github.addPullRequest({ repo: "octo/app", number: 62, headSha: fixture.sha("good"), headRef: "good" });
      const directory = await checkout("find-pr");
      const { code, stdout, stderr } = await runCli(
        ["run", "--source", directory, "--github-api-url", github.url, "--kubeconfig", fixture.kubeconfigPath],
        { env: { GITHUB_PAT: TEST_TOKEN } },
      );
      expect(stderr).toContain("--source: branch good is octo/app#62 (the open pull request from octo:good)");
      expect(stdout).toContain(`✔ succeeded octo/app#62 at ${fixture.sha("good").slice(0, 7)}`);
      expect(code).toBe(0);
      expect(github.calls).toMatchObject([
        { operation: "pulls/list", status: 200, query: { head: "octo:good", state: "open" } },
      ]);
      expect(github.calls.filter((call) => call.rejected)).toEqual([]);
    } finally {
      await github.close();
    }
  });

  it("runs as a local run without a PR number when GitHub cannot say which PR the branch is", async () => {
    const directory = await checkout("no-pr");
    const { code, stdout, stderr } = await runCli(
      ["run", "--source", directory, "--kubeconfig", fixture.kubeconfigPath, "--keep"],
      { env: { GITHUB_PAT: TEST_TOKEN } },
    );
    expect(stderr).toContain(
      "the remote is not on github.com and --github-api-url is not set: a local run without a pull request number",
    );
    expect(stdout).toContain(`✔ succeeded octo/app (local run, no PR) at ${fixture.sha("good").slice(0, 7)}`);
    expect(code).toBe(0);
    // Names and labels stay valid for Kubernetes: the kept run's objects are there, labelled pr=0.
    expect((await fixture.objectsFor(0)).length).toBeGreaterThan(0);
    const cleanup = await runCli(["cleanup", "--all", "--kubeconfig", fixture.kubeconfigPath]);
    expect(cleanup.code).toBe(0);
  });

  it("exits 65 with the size when the local changes pass the ConfigMap limit", async () => {
    const directory = await checkout("too-big");
    writeFileSync(join(directory, "big.bin"), randomBytes(900 * 1024));
    const { code, stderr } = await runCli(
      ["run", "--source", directory, "--pr", "62", "--kubeconfig", fixture.kubeconfigPath],
      {
        env: { GITHUB_PAT: TEST_TOKEN },
      },
    );
    expect(stderr).toMatch(/over the 1\.00 MiB ConfigMap limit/);
    expect(stderr).toContain("fix: push the commits");
    expect(code).toBe(65);
  });

  it("applies an unpushed commit and an uncommitted binary change in the pod, and shows the verdict", async () => {
    const directory = await checkout("dirty");
    mkdirSync(join(directory, "local"));
    writeFileSync(join(directory, "local", "Dockerfile"), "FROM alpine\n");
    await git(directory, "add", "local/Dockerfile");
    await git(directory, "commit", "--quiet", "-m", "a second image, not pushed");
    writeFileSync(join(directory, "logo.bin"), randomBytes(4096));
    writeFileSync(join(directory, "README.md"), "# app, edited\n");
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        "--source",
        directory,
        "--pr",
        "63",
        // No --clone-url: the checkout's http://127.0.0.1 remote is cloned as it is.
        "--kubeconfig",
        fixture.kubeconfigPath,
      ],
      { env: { GITHUB_PAT: TEST_TOKEN } },
    );
    expect(stderr).toMatch(
      /--source: building [0-9a-f]{7} plus 1 unpushed commit\(s\) \(.* bundle\) and uncommitted changes/,
    );
    expect(stderr).toContain("applying the unpushed commits (local.bundle)");
    expect(stderr).toContain("applying the uncommitted changes (local.diff)");
    expect(stdout).toContain(`✔ succeeded octo/app#63 at ${fixture.sha("good").slice(0, 7)}`);
    expect(code).toBe(0);
    expect((await fixture.dockerCalls()).some((call) => call.includes("local/Dockerfile"))).toBe(true);
    await expect.poll(() => fixture.objectsFor(63), { timeout: 15_000 }).toEqual([]);
  });
});
