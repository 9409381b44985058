// The private engine builds a real image and pushes it to the htpasswd registry; the metadata file's digest is
// the registry's manifest digest. Stopping kills the daemons by pid.
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  realBuildsSkipReason,
  startTestDockerEngine,
  startTestRegistry,
  type TestDockerEngine,
  type TestRegistry,
} from "../src/index.ts";

const skip = realBuildsSkipReason();

describe.skipIf(skip)("a private Docker engine and a loopback registry", () => {
  let engine: TestDockerEngine;
  let registry: TestRegistry;
  let dir: string;
  beforeAll(async () => {
    [engine, registry] = await Promise.all([
      startTestDockerEngine(),
      startTestRegistry({ credentials: { username: "builder", password: "s3cret-pass" } }),
    ]);
    dir = await mkdtemp(join(tmpdir(), "engine-test-"));
  }, 120_000);
  afterAll(async () => {
    await Promise.all([engine?.stop(), registry?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("refuses a push without credentials and accepts one with the dockerconfigjson", async () => {
    await copyFile(engine.tools.busyboxStatic, join(dir, "busybox"));
    await writeFile(
      join(dir, "Dockerfile"),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo built > /built"]\n',
    );
    const image = `${registry.host}/owner/repo/app:pr-1`;
    const build = ["buildx", "build", "--pull=false", "--network", "none", "--push", "-t", image];
    const refused = await engine.docker([...build, "--metadata-file", join(dir, "m0.json"), dir]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/401|unauthorized|no basic auth credentials/i);

    await writeFile(join(engine.configDir, "config.json"), registry.dockerConfigJson());
    const pushed = await engine.docker([...build, "--metadata-file", join(dir, "m1.json"), dir]);
    expect(pushed.code, pushed.stderr).toBe(0);
    const metadata = JSON.parse(await readFile(join(dir, "m1.json"), "utf8"));
    expect(metadata["containerimage.digest"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry.manifestDigest("owner/repo/app", "pr-1")).toBe(metadata["containerimage.digest"]);
  });

  it("never reaches off the machine for a missing base image", async () => {
    await writeFile(join(dir, "Dockerfile.missing"), "FROM pr-pod-test/not-here:1\n");
    const result = await engine.docker(["buildx", "build", "-f", join(dir, "Dockerfile.missing"), dir]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/proxyconnect|connection refused/);
  });

  it("writes pid files of running daemons", async () => {
    for (const file of engine.pidFiles) {
      const pid = Number((await readFile(file, "utf8")).trim());
      expect(() => process.kill(pid, 0)).not.toThrow();
    }
    const pid = Number((await readFile(registry.pidFile, "utf8")).trim());
    expect(() => process.kill(pid, 0)).not.toThrow();
  });
});
