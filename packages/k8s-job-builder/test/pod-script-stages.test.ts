// The pod script's verify, detect and build stages under busybox sh (a recording `docker` stand-in on PATH).
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import { createHarness, type Harness, installDockerStandin, sha256Hex } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";

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
          target: "builds",
          file: "Dockerfile",
          context: ".",
          ok: true,
          pushed: false,
          digest: `sha256:${await sha256Hex(join(src, "Dockerfile"))}`,
          steps: 0,
          cachedSteps: 0,
          durationMs: expect.any(Number),
        },
        {
          kind: "dockerfile",
          target: "api",
          file: "api/Dockerfile",
          context: "api",
          ok: true,
          pushed: false,
          digest: `sha256:${await sha256Hex(join(src, "api/Dockerfile"))}`,
          steps: 0,
          cachedSteps: 0,
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
    expect(run.report).toMatchObject({
      stage: "build",
      error: '1 of 2 build(s) failed: target "broken" ("broken/Dockerfile")',
    });
    expect(run.report?.builds?.map((b) => [b.file, b.ok])).toEqual([
      ["Dockerfile", true],
      ["broken/Dockerfile", false],
    ]);
    expect(run.report?.builds?.[1]?.error).toMatch(/^exit 1: ERROR: failed to solve/);
    const calls = await readCalls(record);
    expect(calls.at(-1)).toEqual(["buildx", "rm", "pr-pod-builds-7-abcdef0"]);
  });

  it("builds once more when the registry fails the push with a server error, and only once", async () => {
    const record = join(harness.dir, "docker-push500.calls");
    await installDockerStandin(harness.standinBin, record);
    try {
      const { headSha } = await prRepo("push-500", {
        Dockerfile: "FROM scratch\n# PUSH500\n",
        "always/Dockerfile": "FROM scratch\n# PUSH500ALWAYS\n",
      });
      const run = await harness.run({ script, env: { ...envFor(contextFor("push-500", headSha)), ...buildEnv } });
      expect(run.exitCode, run.log).toBe(16);
      expect(run.report?.builds?.map((b) => [b.file, b.ok])).toEqual([
        ["Dockerfile", true],
        ["always/Dockerfile", false],
      ]);
      expect(run.report?.builds?.[1]?.error).toMatch(/500 Internal Server Error/);
      expect(
        run.log.match(
          /the registry failed the push \(ERROR: unexpected status .*500 Internal Server Error\); building once more/g,
        ),
      ).toHaveLength(2);
      const builds = (await readCalls(record)).filter((call) => call[1] === "build");
      expect(builds).toHaveLength(4); // each Dockerfile twice: the first recovers, the second fails again
    } finally {
      await installDockerStandin(harness.standinBin, join(harness.dir, "unused.calls"));
    }
  });

  it("does not build again when the build itself failed", async () => {
    const record = join(harness.dir, "docker-fail-once.calls");
    await installDockerStandin(harness.standinBin, record);
    try {
      const { headSha } = await prRepo("fail-once", { Dockerfile: "FROM scratch\nRUN FAIL\n" });
      const run = await harness.run({ script, env: { ...envFor(contextFor("fail-once", headSha)), ...buildEnv } });
      expect(run.exitCode).toBe(16);
      expect(run.log).not.toMatch(/building once more/);
      expect((await readCalls(record)).filter((call) => call[1] === "build")).toHaveLength(1);
    } finally {
      await installDockerStandin(harness.standinBin, join(harness.dir, "unused.calls"));
    }
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
      /could not create buildx builder pr-pod-builds-7-abcdef0 \(kubernetes driver\): ERROR: failed to create deployment: forbidden/,
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
    let releaser: Promise<FileHandle> | undefined;
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
          // Read-write, held until the run ends: opening never waits for a reader, the line waits in the
          // pipe for a stand-in that opens the FIFO later, and the write cannot fail with EPIPE if the
          // stand-in dies meanwhile (a write-only open raced it: blocked forever, or EPIPE, unhandled).
          releaser = open(fifo, constants.O_RDWR | constants.O_NONBLOCK).then(async (handle) => {
            await handle.write("go\n");
            return handle;
          });
        }
      },
    });
    await (await releaser)?.close();
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
      "-f",
      "docker-bake.hcl",
      "--print",
    ]);
    expect(calls[2]).toEqual([
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
    // One record per target, as bake's --print names them, with each target's digest from the metadata file.
    expect(run.report?.builds?.map((b) => [b.target, b.context, b.dockerfile, b.ok])).toEqual([
      ["app", ".", "Dockerfile", true],
      ["worker", "worker", "worker.Dockerfile", true],
    ]);
    const [app, worker] = run.report?.builds ?? [];
    expect(app?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(worker?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(app?.digest).not.toBe(worker?.digest);
  });

  it("with a plain-HTTP registry: tags, pushes and caches every image there, and tells the Kubernetes BuildKit", async () => {
    const record = join(harness.dir, "docker-registry.calls");
    await installDockerStandin(harness.standinBin, record);
    const { headSha } = await prRepo("Pushed-Repo", { "docker-bake.hcl": 'target "app" {}\n' });
    const sha7 = headSha.slice(0, 7);
    const run = await harness.run({
      script,
      env: {
        ...envFor(contextFor("Pushed-Repo", headSha)),
        ...buildEnv,
        PR_POD_REGISTRY: "kind-registry:5000/",
        PR_POD_REGISTRY_INSECURE: "true",
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    const calls = await readCalls(record);
    const config = join(run.workspace, ".pr-pod", "buildkitd.toml");
    expect(calls[0]).toEqual(expect.arrayContaining(["--config", config]));
    expect(await readFile(config, "utf8")).toBe('[registry."kind-registry:5000"]\n  http = true\n  insecure = true\n');
    const image = `kind-registry:5000/acme/pushed-repo/pushed-repo:pr-7-${sha7}`;
    const cache = "kind-registry:5000/acme/pushed-repo/pushed-repo:buildcache";
    expect(calls[1]).toEqual(
      expect.arrayContaining([
        "--output",
        `type=image,name=${image},push=true,registry.insecure=true`,
        "--cache-from",
        `type=registry,ref=${cache},registry.insecure=true`,
        "--cache-to",
        `type=registry,ref=${cache},mode=max,registry.insecure=true`,
      ]),
    );
    expect(run.report?.builds?.[0]).toMatchObject({ target: "pushed-repo", image, tag: `pr-7-${sha7}`, pushed: true });
    expect(run.report?.builds?.[0]?.ref).toBe(
      `kind-registry:5000/acme/pushed-repo/pushed-repo@${run.report?.builds?.[0]?.digest}`,
    );
  });
});
