// The pod script's build stage for real: busybox sh runs the real script, which drives the real docker CLI and
// buildx (docker driver) against a private dockerd, and pushes to real loopback registries. Base images cannot
// be pulled here, so the tests build and push their own busybox base first.
import { copyFile, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  realBuildsSkipReason,
  startTestDockerEngine,
  startTestRegistry,
  type TestDockerEngine,
  type TestRegistry,
} from "@pr-pod/test-docker-engine";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import { createHarness, type Harness } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

const TOKEN = "ghp_realbuildsrealbuildsrealbuilds9876";
const skip = realBuildsSkipReason();
// The PRs here put their Dockerfiles anywhere: only package.json and README.md are required.
const script = buildPrPodScript({ verify: ["package.json", "README.md"] });

describe.skipIf(skip)("the pod script builds and pushes real images", () => {
  let server: TestGitServer;
  let harness: Harness;
  let engine: TestDockerEngine;
  let registry: TestRegistry;
  let base: string;

  beforeAll(async () => {
    [server, harness, engine, registry] = await Promise.all([
      startTestGitServer({ token: TOKEN }),
      createHarness(),
      startTestDockerEngine(),
      startTestRegistry(),
    ]);
    await symlink(engine.tools.docker, join(harness.standinBin, "docker"));
    // A base image with a shell, built and pushed by the tests themselves.
    const dir = await mkdtemp(join(tmpdir(), "base-image-"));
    try {
      await copyFile(engine.tools.busyboxStatic, join(dir, "busybox"));
      await writeFile(
        join(dir, "Dockerfile"),
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
      );
      base = `${registry.host}/base/busybox:1`;
      const built = await engine.docker(["buildx", "build", "--network", "none", "--push", "-t", base, dir]);
      if (built.code !== 0) throw new Error(`could not build the base image: ${built.stderr}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all([server?.close(), harness?.cleanup(), engine?.stop(), registry?.stop()]);
  }, 60_000);

  const fixtures = createPrFixtures(() => server, TOKEN);
  // A failed push is only explained by what the registry logged (its 5xx answers carry no cause).
  const withRegistryLog = (log: string) => `${log}\n--- registry log (last lines) ---\n${registry.log().slice(-6000)}`;
  const buildEnv = (extra: Record<string, string> = {}) => ({
    ...engine.env,
    PATH: `${harness.standinBin}:${harness.busyboxBin}:${join(harness.dir, "git-bin")}`,
    PR_POD_BUILD: "true",
    PR_POD_BUILDER_NAME: "pr-pod-builds-7",
    PR_POD_NAMESPACE: "ci",
    PR_POD_BUILDX_DRIVER: "docker",
    PR_POD_REGISTRY: registry.host,
    PR_POD_BUILD_NETWORK: "none",
    ...extra,
  });
  const runPr = async (name: string, files: Record<string, string | null>, extra: Record<string, string> = {}) => {
    const { headSha } = await fixtures.prRepo(name, files);
    const run = await harness.run({
      script,
      env: { ...fixtures.envFor(fixtures.contextFor(name, headSha)), ...buildEnv(extra) },
    });
    return { run, headSha, sha7: headSha.slice(0, 7) };
  };

  it("builds the root Dockerfile, pushes it under the PR's tag, and reports the registry's digest", async () => {
    const { run, headSha, sha7 } = await runPr("single", {
      Dockerfile: `FROM ${base}\nRUN echo built > /built\n`,
    });
    expect(run.exitCode, withRegistryLog(run.log)).toBe(0);
    const [build] = run.report?.builds ?? [];
    const image = `${registry.host}/acme/single/single:pr-7-${sha7}`;
    expect(build).toMatchObject({ kind: "dockerfile", target: "single", file: "Dockerfile", context: ".", ok: true });
    expect(build).toMatchObject({ image, tag: `pr-7-${sha7}`, pushed: true });
    const digest = await registry.manifestDigest("acme/single/single", `pr-7-${sha7}`);
    expect(build?.digest).toBe(digest);
    expect(build?.ref).toBe(`${registry.host}/acme/single/single@${digest}`);
    expect(run.report?.sha).toBe(headSha);
  });

  it("builds a Dockerfile in a subfolder with that folder as its context", async () => {
    const { run, sha7 } = await runPr("subfolder", {
      Dockerfile: null,
      "services/api/Dockerfile": `FROM ${base}\nCOPY only-here.txt /\nRUN cat /only-here.txt\n`,
      "services/api/only-here.txt": "context is services/api\n",
    });
    expect(run.exitCode, withRegistryLog(run.log)).toBe(0);
    expect(run.report?.builds).toEqual([
      expect.objectContaining({
        target: "services-api",
        file: "services/api/Dockerfile",
        context: "services/api",
        image: `${registry.host}/acme/subfolder/services-api:pr-7-${sha7}`,
        digest: await registry.manifestDigest("acme/subfolder/services-api", `pr-7-${sha7}`),
      }),
    ]);
  });

  it("fails a RUN step with exit 16 and names the target, the Dockerfile, the step and its last log lines", async () => {
    const { run } = await runPr("failing", {
      Dockerfile: `FROM ${base}\nRUN echo first line && echo about to fail >&2 && exit 3\n`,
    });
    expect(run.exitCode, withRegistryLog(run.log)).toBe(16);
    const [build] = run.report?.builds ?? [];
    expect(build).toMatchObject({ target: "failing", file: "Dockerfile", ok: false });
    expect(build?.failedStep).toMatch(/^\[2\/2\] RUN echo first line/);
    expect(build?.logTail).toEqual(expect.arrayContaining(["first line", "about to fail"]));
    expect(build?.error).toMatch(/exit code: 3/);
    expect(run.report?.error).toMatch(
      /1 of 1 build\(s\) failed: target "failing" \("Dockerfile"\) at step "\[2\/2\] RUN echo first line/,
    );
  });

  it("bakes two targets, tagging and pushing each, with per-target digests from bake's metadata file", async () => {
    const { run, sha7 } = await runPr(
      "bake",
      {
        Dockerfile: null,
        "docker-bake.hcl": `group "default" { targets = ["app", "worker"] }
target "app" { context = "app" }
target "worker" {
  context = "worker"
  dockerfile = "worker.Dockerfile"
}
`,
        "app/Dockerfile": `FROM ${base}\nRUN --network=none echo app > /app\n`,
        "worker/worker.Dockerfile": `FROM ${base}\nRUN --network=none echo worker > /worker\n`,
      },
      { PR_POD_BAKE: "true" },
    );
    expect(run.exitCode, withRegistryLog(run.log)).toBe(0);
    const builds = run.report?.builds ?? [];
    expect(builds.map((b) => [b.target, b.context, b.dockerfile])).toEqual([
      ["app", "app", "Dockerfile"],
      ["worker", "worker", "worker.Dockerfile"],
    ]);
    for (const target of ["app", "worker"]) {
      const build = builds.find((b) => b.target === target);
      expect(build?.image).toBe(`${registry.host}/acme/bake/${target}:pr-7-${sha7}`);
      expect(build?.digest).toBe(await registry.manifestDigest(`acme/bake/${target}`, `pr-7-${sha7}`));
      expect(build?.digest).toMatch(/^sha256:/);
    }
  });

  it("bakes the builds a compose file defines", async () => {
    const { run, sha7 } = await runPr(
      "compose",
      {
        Dockerfile: null,
        "compose.yaml": "services:\n  web:\n    build: ./web\n  db:\n    image: postgres:16\n",
        "web/Dockerfile": `FROM ${base}\nRUN --network=none echo web > /web\n`,
      },
      { PR_POD_BAKE: "true" },
    );
    expect(run.exitCode, withRegistryLog(run.log)).toBe(0);
    expect(run.report?.builds).toEqual([
      expect.objectContaining({
        kind: "bake",
        target: "web",
        file: "compose.yaml",
        image: `${registry.host}/acme/compose/web:pr-7-${sha7}`,
        digest: await registry.manifestDigest("acme/compose/web", `pr-7-${sha7}`),
      }),
    ]);
  });

  it("hits the registry cache on a second run of the same PR", async () => {
    const files = { Dockerfile: `FROM ${base}\nRUN echo one > /one\nRUN echo two > /two\n` };
    const { headSha } = await fixtures.prRepo("cache", files);
    const env = { ...fixtures.envFor(fixtures.contextFor("cache", headSha)), ...buildEnv() };
    const cold = await harness.run({ script, env });
    expect(cold.exitCode, withRegistryLog(cold.log)).toBe(0);
    // Only the FROM step can be cached: the base image is already in this engine from the earlier builds.
    expect(cold.report?.builds?.[0]?.steps).toBe(3);
    expect(cold.report?.builds?.[0]?.cachedSteps).toBeLessThanOrEqual(1);
    // A fresh engine has no local cache: only the registry's can make the second run warm.
    const fresh = await startTestDockerEngine();
    try {
      const warm = await harness.run({ script, env: { ...env, DOCKER_HOST: fresh.host } });
      expect(warm.exitCode, withRegistryLog(warm.log)).toBe(0);
      expect(warm.report?.builds?.[0], warm.log).toMatchObject({ steps: 3, cachedSteps: 2 }); // both RUN steps; FROM is resolved, not cached
      // The index differs (its provenance records the build), the pushed tag follows the warm run.
      const [warmBuild] = warm.report?.builds ?? [];
      expect(warmBuild?.digest).toBe(await registry.manifestDigest("acme/cache/cache", warmBuild?.tag ?? ""));
    } finally {
      await fresh.stop();
    }
  });
});

describe.skipIf(skip)("the pod script with a registry that requires credentials", () => {
  let server: TestGitServer;
  let harness: Harness;
  let engine: TestDockerEngine;
  let registry: TestRegistry;
  beforeAll(async () => {
    [server, harness, engine, registry] = await Promise.all([
      startTestGitServer({ token: TOKEN }),
      createHarness(),
      startTestDockerEngine(),
      startTestRegistry({ credentials: { username: "pusher", password: "registry-password-42" } }),
    ]);
    await symlink(engine.tools.docker, join(harness.standinBin, "docker"));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.close(), harness?.cleanup(), engine?.stop(), registry?.stop()]);
  }, 60_000);
  const fixtures = createPrFixtures(() => server, TOKEN);
  // A failed push is only explained by what the registry logged (its 5xx answers carry no cause).
  const withRegistryLog = (log: string) => `${log}\n--- registry log (last lines) ---\n${registry.log().slice(-6000)}`;

  it("pushes with the mounted dockerconfigjson, never prints it, and the git token reaches no build arg or layer", async () => {
    const { headSha } = await fixtures.prRepo("private", {
      // Tries every way a careless pipeline leaks a token: an ARG of the same name, the whole context (.git too).
      Dockerfile:
        "FROM scratch\nARG PR_POD_GIT_TOKEN\nARG GITHUB_TOKEN\nLABEL leak1=$PR_POD_GIT_TOKEN leak2=$GITHUB_TOKEN\nCOPY . /src\n",
    });
    const secretDir = await mkdtemp(join(tmpdir(), "registry-secret-"));
    try {
      await writeFile(join(secretDir, ".dockerconfigjson"), registry.dockerConfigJson());
      const env = {
        ...fixtures.envFor(fixtures.contextFor("private", headSha)),
        ...engine.env,
        PATH: `${harness.standinBin}:${harness.busyboxBin}:${join(harness.dir, "git-bin")}`,
        PR_POD_BUILD: "true",
        PR_POD_BUILDER_NAME: "b",
        PR_POD_NAMESPACE: "ci",
        PR_POD_BUILDX_DRIVER: "docker",
        PR_POD_REGISTRY: registry.host,
        PR_POD_REGISTRY_AUTH: join(secretDir, ".dockerconfigjson"),
        PR_POD_TRACE: "true",
      };
      const run = await harness.run({ script, env });
      expect(run.exitCode, withRegistryLog(run.log)).toBe(0);
      const [build] = run.report?.builds ?? [];
      const tag = `pr-7-${headSha.slice(0, 7)}`;
      expect(build?.digest).toBe(await registry.manifestDigest("acme/private/private", tag));
      const password = registry.credentials!.password;
      const auth = Buffer.from(`pusher:${password}`).toString("base64");
      for (const secret of [TOKEN, password, auth]) expect(run.log).not.toContain(secret);

      // Every blob of the pushed image (index, manifests, configs, layers) is free of the token.
      const seen: string[] = [];
      const walk = async (reference: string): Promise<void> => {
        const manifest = (await registry.manifest("acme/private/private", reference)) as {
          manifests?: { digest: string }[];
          config?: { digest: string };
          layers?: { digest: string }[];
        };
        seen.push(JSON.stringify(manifest));
        for (const child of manifest.manifests ?? []) await walk(child.digest);
        for (const blob of [manifest.config, ...(manifest.layers ?? [])].filter(Boolean)) {
          const bytes = await registry.blob("acme/private/private", blob!.digest);
          const text = blob === manifest.config ? bytes.toString("utf8") : await gunzipText(bytes);
          seen.push(text);
        }
      };
      await walk(tag);
      expect(seen.some((text) => text.includes("feature.txt") || text.includes("README.md"))).toBe(true);
      for (const text of seen) expect(text).not.toContain(TOKEN);
    } finally {
      await rm(secretDir, { recursive: true, force: true });
    }
  });

  it("fails the push without credentials and says the registry refused", async () => {
    const { headSha } = await fixtures.prRepo("no-creds", { Dockerfile: "FROM scratch\nCOPY README.md /\n" });
    const run = await harness.run({
      script,
      env: {
        ...fixtures.envFor(fixtures.contextFor("no-creds", headSha)),
        ...engine.env,
        PATH: `${harness.standinBin}:${harness.busyboxBin}:${join(harness.dir, "git-bin")}`,
        PR_POD_BUILD: "true",
        PR_POD_BUILDER_NAME: "b",
        PR_POD_NAMESPACE: "ci",
        PR_POD_BUILDX_DRIVER: "docker",
        PR_POD_REGISTRY: registry.host,
      },
    });
    expect(run.exitCode).toBe(16);
    expect(run.report?.builds?.[0]?.error).toMatch(/401|unauthorized|no basic auth credentials/i);
  });
});

async function gunzipText(bytes: Buffer): Promise<string> {
  const { gunzipSync } = await import("node:zlib");
  try {
    return gunzipSync(bytes).toString("latin1");
  } catch {
    return bytes.toString("latin1");
  }
}
