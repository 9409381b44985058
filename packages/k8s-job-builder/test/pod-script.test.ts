import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import {
  createHarness,
  type Harness,
  installDockerStandin,
  installGitRecorder,
  sha256Hex,
} from "./pod-script-harness.ts";
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

  it("merges onto PR_BASE_SHA when given, even when the branch has moved since", async () => {
    const { repo, headSha, baseSha } = await prRepo("merge-base-sha");
    await repo.commit({ "later.txt": "later\n" }, { branch: "main" });
    const context = contextFor("merge-base-sha", headSha, { baseSha });
    const run = await harness.run({ script, env: envFor(context, { PR_POD_CHECKOUT: "merge" }) });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report?.baseSha).toBe(baseSha);
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

  it("says there was no token when the server asks for one", async () => {
    const { headSha } = await prRepo("no-token");
    const env = envFor(contextFor("no-token", headSha));
    delete env.PR_POD_GIT_TOKEN;
    const run = await harness.run({ script, env });
    expect(run.exitCode).toBe(11);
    expect(run.report?.error).toMatch(/asked for credentials and the pod has no token/);
  });

  it("fails with exit code 12 when the commit does not exist", async () => {
    await prRepo("missing-sha");
    const run = await harness.run({ script, env: envFor(contextFor("missing-sha", "f".repeat(40))) });
    expect(run.exitCode).toBe(12);
    expect(run.report?.error).toMatch(/could not fetch commit f{40}/);
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

describe("the pod script: verify and detect", () => {
  it("fails verification with exit code 14 and names the missing files", async () => {
    const { headSha } = await prRepo("verify-fail", { Dockerfile: null });
    const run = await harness.run({
      script: buildPrPodScript({
        verify: { required: ["package.json", "Dockerfile", "src/**/*.ts"], optional: ["LICENSE"] },
      }),
      env: envFor(contextFor("verify-fail", headSha)),
    });
    expect(run.exitCode).toBe(14);
    expect(run.report).toMatchObject({
      stage: "verify",
      error: "required files are missing: Dockerfile, src/**/*.ts",
      files: {
        found: ["package.json"],
        missing: ["Dockerfile", "src/**/*.ts"],
        optionalFound: [],
        optionalMissing: ["LICENSE"],
      },
    });
  });

  it("finds nested Dockerfiles, bake and compose files and charts, and skips vendored folders", async () => {
    const odd = 'we"ird\\dir ñ/Dockerfile';
    const { headSha } = await prRepo("detect", {
      "services/api/Dockerfile": "FROM scratch\n",
      "services/web/web.Dockerfile": "FROM scratch\n",
      "services/web/Dockerfile.dev": "FROM scratch\n",
      "services/web/Dockerfile.dockerignore": "node_modules\n",
      "tools/Containerfile": "FROM scratch\n",
      [odd]: "FROM scratch\n",
      "tab\there\u0001/Dockerfile": "FROM scratch\n",
      "docker-bake.hcl": 'target "app" {}\n',
      "deploy/docker-bake.json": "{}\n",
      "compose.yaml": "services: {}\n",
      "deploy/docker-compose.yml": "services: {}\n",
      "charts/app/Chart.yaml": "name: app\n",
      "Chart.yaml": "name: root\n",
      "node_modules/pkg/Dockerfile": "FROM decoy\n",
      "vendor/lib/Dockerfile": "FROM decoy\n",
      "third_party/x/Chart.yaml": "name: decoy\n",
      "src/not-a-Dockerfile.txt": "x\n",
    });
    const run = await harness.run({ script, env: envFor(contextFor("detect", headSha)) });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report?.artifacts).toEqual({
      dockerfiles: [
        "Dockerfile",
        "services/api/Dockerfile",
        "services/web/Dockerfile.dev",
        "services/web/web.Dockerfile",
        "tab\there\u0001/Dockerfile",
        "tools/Containerfile",
        odd,
      ],
      bakeFiles: ["deploy/docker-bake.json", "docker-bake.hcl"],
      composeFiles: ["compose.yaml", "deploy/docker-compose.yml"],
      charts: [".", "charts/app"],
    });
  });

  it("keeps the short form valid JSON when many required files are missing", async () => {
    const { headSha } = await prRepo("many-missing");
    const required = Array.from({ length: 150 }, (_, i) => `docs/a-rather-long-required-file-name-${i}.md`);
    const run = await harness.run({
      script: buildPrPodScript({ verify: required }),
      env: envFor(contextFor("many-missing", headSha)),
    });
    expect(run.exitCode).toBe(14);
    expect(Buffer.byteLength(run.terminationMessage)).toBeLessThanOrEqual(4096);
    const short = JSON.parse(run.terminationMessage);
    expect(short).toMatchObject({ truncated: true, exitCode: 14, stage: "verify" });
    expect(short.files.missing).toEqual(required.slice(0, 20));
    expect(run.report?.files?.missing).toEqual(required);
  });

  it("keeps the termination message under 4096 bytes and puts the full report on the log line", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 120; i++) many[`services/service-number-${i}/Dockerfile`] = "FROM scratch\n";
    const { headSha } = await prRepo("big-report", many);
    const run = await harness.run({ script, env: envFor(contextFor("big-report", headSha)) });
    expect(run.exitCode).toBe(0);
    expect(Buffer.byteLength(run.terminationMessage)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(run.terminationMessage)).toMatchObject({ truncated: true, ok: true, exitCode: 0 });
    expect(run.report?.truncated).toBeUndefined();
    expect(run.report?.artifacts?.dockerfiles).toHaveLength(121);
  });
});

describe("the pod script: builds", () => {
  const buildEnv = {
    PR_POD_BUILD: "true",
    PR_POD_BUILDER_NAME: "pr-pod-builds-7-abcdef0",
    PR_POD_NAMESPACE: "ci",
    PR_POD_BUILDX_DRIVER_OPTS: "replicas=1,requests.cpu=500m,rootless=true",
  };

  async function readCalls(file: string): Promise<string[][]> {
    const text = await readFile(file, "utf8").catch(() => "");
    return text
      .split("--\n")
      .filter(Boolean)
      .map((call) => call.split("\n").filter((line) => line !== ""));
  }

  it("creates a Kubernetes-driver builder, builds each Dockerfile in its folder, reports digests, removes the builder", async () => {
    const record = join(harness.dir, "docker-ok.calls");
    await installDockerStandin(harness.standinBin, record);
    try {
      const { headSha } = await prRepo("builds", { "api/Dockerfile": "FROM scratch\n" });
      const run = await harness.run({ script, env: { ...envFor(contextFor("builds", headSha)), ...buildEnv } });
      expect(run.exitCode, run.log).toBe(0);
      const src = join(run.workspace, "src");
      const calls = await readCalls(record);
      expect(calls[0]).toEqual([
        "buildx",
        "create",
        "--name",
        "pr-pod-builds-7-abcdef0",
        "--driver",
        "kubernetes",
        "--driver-opt",
        "namespace=ci,replicas=1,requests.cpu=500m,rootless=true",
        "--bootstrap",
      ]);
      const meta = (n: number) => join(run.workspace, ".pr-pod", `build-${n}.metadata.json`);
      expect(calls[1]).toEqual([
        "buildx",
        "build",
        "--builder",
        "pr-pod-builds-7-abcdef0",
        "--progress",
        "plain",
        "-f",
        join(src, "Dockerfile"),
        "--metadata-file",
        meta(1),
        join(src, "."),
      ]);
      expect(calls[2]).toEqual([
        "buildx",
        "build",
        "--builder",
        "pr-pod-builds-7-abcdef0",
        "--progress",
        "plain",
        "-f",
        join(src, "api/Dockerfile"),
        "--metadata-file",
        meta(2),
        join(src, "api"),
      ]);
      expect(calls[3]).toEqual(["buildx", "rm", "pr-pod-builds-7-abcdef0"]);
      expect(calls).toHaveLength(4);
      expect(run.report?.builds).toEqual([
        {
          kind: "dockerfile",
          file: "Dockerfile",
          context: ".",
          ok: true,
          digest: `sha256:${await sha256Hex(join(src, "Dockerfile"))}`,
          durationMs: expect.any(Number),
        },
        {
          kind: "dockerfile",
          file: "api/Dockerfile",
          context: "api",
          ok: true,
          digest: `sha256:${await sha256Hex(join(src, "api/Dockerfile"))}`,
          durationMs: expect.any(Number),
        },
      ]);
      expect(run.report?.durationsMs.build).toEqual(expect.any(Number));
    } finally {
      await installDockerStandin(harness.standinBin, join(harness.dir, "unused.calls"));
    }
  });

  it("carries on after a failed build, reports its error, exits 16 and still removes the builder", async () => {
    const record = join(harness.dir, "docker-fail.calls");
    await installDockerStandin(harness.standinBin, record);
    const { headSha } = await prRepo("build-fail", { "broken/Dockerfile": "FROM scratch\nRUN FAIL\n" });
    const run = await harness.run({ script, env: { ...envFor(contextFor("build-fail", headSha)), ...buildEnv } });
    expect(run.exitCode).toBe(16);
    expect(run.report).toMatchObject({ stage: "build", error: "1 of 2 build(s) failed" });
    expect(run.report?.builds?.map((b) => [b.file, b.ok])).toEqual([
      ["Dockerfile", true],
      ["broken/Dockerfile", false],
    ]);
    expect(run.report?.builds?.[1]?.error).toMatch(/^exit 1: ERROR: failed to solve/);
    const calls = await readCalls(record);
    expect(calls.at(-1)).toEqual(["buildx", "rm", "pr-pod-builds-7-abcdef0"]);
  });

  it("exits 15 when the builder cannot be created, and removes what was half made", async () => {
    const record = join(harness.dir, "docker-create.calls");
    await installDockerStandin(harness.standinBin, record);
    const { headSha } = await prRepo("builder-fail");
    const run = await harness.run({
      script,
      env: { ...envFor(contextFor("builder-fail", headSha)), ...buildEnv, STANDIN_FAIL_CREATE: "1" },
    });
    expect(run.exitCode).toBe(15);
    expect(run.report?.error).toMatch(
      /could not create buildx builder pr-pod-builds-7-abcdef0 in namespace ci: ERROR: failed to create deployment: forbidden/,
    );
    const calls = await readCalls(record);
    expect(calls.map((c) => c[1])).toEqual(["create", "rm"]);
  });

  it("on SIGTERM mid-build (the Job deadline) writes a report with exit 143 and removes the builder", async () => {
    const record = join(harness.dir, "docker-term.calls");
    await installDockerStandin(harness.standinBin, record);
    const fifo = join(harness.dir, "block.fifo");
    await new Promise<void>((resolve, reject) =>
      execFile("mkfifo", [fifo], (error) => (error ? reject(error) : resolve())),
    );
    const { headSha } = await prRepo("terminated");
    let pid = 0;
    let signalled = false;
    let released = false;
    const run = await harness.run({
      script,
      env: { ...envFor(contextFor("terminated", headSha)), ...buildEnv, STANDIN_BLOCK_FIFO: fifo },
      onSpawn: (p) => {
        pid = p;
      },
      onOutput: (log) => {
        if (!signalled && log.includes("load build definition")) {
          signalled = true;
          process.kill(pid, "SIGTERM");
        }
        if (!released && log.includes("::pr-pod-report::")) {
          released = true; // the stand-in build is still blocked: let it go so its pipes close
          void writeFile(fifo, "go\n");
        }
      },
    });
    expect(run.exitCode).toBe(143);
    expect(run.report).toMatchObject({ exitCode: 143, stage: "build" });
    expect(run.report?.error).toMatch(/terminated by a signal/);
    const calls = await readCalls(record);
    expect(calls.map((c) => c[1])).toEqual(["create", "build", "rm"]);
  });

  it("creates no builder when there is nothing to build", async () => {
    const record = join(harness.dir, "docker-none.calls");
    await installDockerStandin(harness.standinBin, record);
    const { headSha } = await prRepo("nothing-to-build", { Dockerfile: null });
    const run = await harness.run({
      script: buildPrPodScript({ verify: ["package.json"] }),
      env: { ...envFor(contextFor("nothing-to-build", headSha)), ...buildEnv },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain("nothing to build");
    expect(run.report?.builds).toBeUndefined();
    expect(await readCalls(record)).toEqual([]);
  });

  it("uses buildx bake when chosen and a bake file exists", async () => {
    const record = join(harness.dir, "docker-bake.calls");
    await installDockerStandin(harness.standinBin, record);
    const { headSha } = await prRepo("bake", { "docker-bake.hcl": 'target "app" {}\n' });
    const run = await harness.run({
      script,
      env: { ...envFor(contextFor("bake", headSha)), ...buildEnv, PR_POD_BAKE: "true" },
    });
    expect(run.exitCode, run.log).toBe(0);
    const calls = await readCalls(record);
    expect(calls[1]).toEqual([
      "buildx",
      "bake",
      "--builder",
      "pr-pod-builds-7-abcdef0",
      "--progress",
      "plain",
      "-f",
      "docker-bake.hcl",
      "--metadata-file",
      join(run.workspace, ".pr-pod", "bake.metadata.json"),
    ]);
    expect(run.report?.builds).toEqual([
      {
        kind: "bake",
        file: "docker-bake.hcl",
        ok: true,
        digests: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/), expect.stringMatching(/^sha256:[0-9a-f]{64}$/)],
        durationMs: expect.any(Number),
      },
    ]);
  });
});

describe("the pod script: the token", () => {
  it("appears nowhere: not in the log (even with set -x), argv, ps output, .git, or the report", async () => {
    const gitCalls = join(harness.dir, "git.calls");
    await installGitRecorder(harness.standinBin, gitCalls);
    const dockerCalls = join(harness.dir, "docker-leak.calls");
    await installDockerStandin(harness.standinBin, dockerCalls);
    try {
      const { repo, headSha } = await prRepo("leak");
      await repo.commit({ "base.txt": "b\n" }, { branch: "main" });
      const psSamples: string[] = [];
      let running = true;
      const sample = async () => {
        while (running) {
          psSamples.push(
            await new Promise<string>((resolve) =>
              execFile("ps", ["-eo", "args"], { maxBuffer: 16 * 1024 * 1024 }, (_e, stdout) => resolve(stdout)),
            ),
          );
        }
      };
      const sampling = sample();
      const run = await harness.run({
        script,
        env: {
          ...envFor(contextFor("leak", headSha), { PR_POD_CHECKOUT: "merge", PR_POD_TRACE: "true" }),
          PR_POD_BUILD: "true",
          PR_POD_BUILDER_NAME: "b",
          PR_POD_NAMESPACE: "ci",
        },
      });
      running = false;
      await sampling;

      expect(run.exitCode, run.log).toBe(0);
      expect(run.log).toContain("+ "); // set -x really was on
      expect(psSamples.length).toBeGreaterThan(0);
      expect(psSamples.join("\n")).toContain("git"); // the sampler saw the run's processes
      const gitArgv = await readFile(gitCalls, "utf8");
      expect(gitArgv).toContain("fetch");
      const haystacks: Record<string, string> = {
        log: run.log,
        terminationMessage: run.terminationMessage,
        ps: psSamples.join("\n"),
        gitArgv,
        dockerArgv: await readFile(dockerCalls, "utf8"),
      };
      const gitDir = join(run.workspace, "src", ".git");
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (path !== join(gitDir, "objects")) await walk(path);
          } else if ((await stat(path)).size < 1_000_000) {
            haystacks[path] = await readFile(path, "latin1");
          }
        }
      };
      await walk(gitDir);
      expect(Object.keys(haystacks)).toContain(join(gitDir, "config"));
      const base64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(TOKEN), `token found in ${where}`).toBe(false);
        expect(text.includes(base64), `basic-auth header found in ${where}`).toBe(false);
      }
      expect(server.requests.some((r) => r.authorized && r.username === "x-access-token")).toBe(true);
    } finally {
      const { rm } = await import("node:fs/promises");
      await rm(join(harness.standinBin, "git"), { force: true });
    }
  });
});
