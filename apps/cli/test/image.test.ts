// apps/cli/Dockerfile built for real by the repo's private Docker engine (@pr-pod/test-docker-engine)
// and run with no network: `pr-pod --help` and `pr-pod serve --help` answer from the image. Base
// images cannot be pulled here, so the test first builds a local Node base FROM scratch (this
// machine's node binary and the shared libraries it links, found with ldd) and passes it as the
// Dockerfile's NODE_IMAGE build argument. Needs apps/cli/dist (npm run build), like the CLI's tests.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { realBuildsSkipReason, startTestDockerEngine, type TestDockerEngine } from "@pr-pod/test-docker-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../../..");
const skip = realBuildsSkipReason();

/** The files a dynamically linked node needs: itself, its loader and the libraries ldd lists. */
function nodeWithLibraries(): string[] {
  const node = process.execPath;
  const ldd = execFileSync("ldd", [node], { encoding: "utf8" });
  const libraries = [...ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => match[1]!);
  return [node, ...new Set(libraries)];
}

describe.skipIf(skip)("the pr-pod image (apps/cli/Dockerfile)", () => {
  let engine: TestDockerEngine;
  let baseDir: string;
  beforeAll(async () => {
    engine = await startTestDockerEngine();
    baseDir = await mkdtemp(join(tmpdir(), "pr-pod-node-base-"));
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
    if (baseDir) await rm(baseDir, { recursive: true, force: true });
  }, 60_000);

  it("builds from a local Node base and answers --help with no network", async () => {
    // The base: node at /usr/local/bin/node and each library at its own path, nothing else.
    const copies: string[] = [];
    for (const file of nodeWithLibraries()) {
      const target = file === process.execPath ? "usr/local/bin/node" : file.slice(1);
      await mkdir(join(baseDir, "rootfs", dirname(target)), { recursive: true });
      await copyFile(file, join(baseDir, "rootfs", target));
      copies.push(target);
    }
    await mkdir(join(baseDir, "rootfs", "tmp"), { recursive: true });
    await writeFile(join(baseDir, "Dockerfile"), "FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin\n");
    const base = "pr-pod-test/node-base:local";
    const baseBuild = await engine.docker(["buildx", "build", "--load", "--network", "none", "-t", base, baseDir]);
    expect(baseBuild.code, baseBuild.stderr).toBe(0);
    expect(copies).toContain("usr/local/bin/node");

    const image = "pr-pod-test/pr-pod:local";
    const build = await engine.docker(
      [
        ...["buildx", "build", "--load", "--network", "none", "--pull=false"],
        ...["--build-arg", `NODE_IMAGE=${base}`, "-f", "apps/cli/Dockerfile", "-t", image, "."],
      ],
      { cwd: repoRoot },
    );
    expect(build.code, build.stderr).toBe(0);

    const help = await engine.docker(["run", "--rm", "--network", "none", image, "--help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: pr-pod/);
    expect(help.stdout).toMatch(/serve/);

    // The image's default command is the service; its help proves the bundle loads the service code.
    const serveHelp = await engine.docker(["run", "--rm", "--network", "none", image, "serve", "--help"]);
    expect(serveHelp.code, serveHelp.stderr).toBe(0);
    expect(serveHelp.stdout).toMatch(/--lease/);
  }, 300_000);
});
