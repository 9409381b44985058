// A whole run that builds for real: the test cluster's host runtime runs the real pod script, which builds with
// buildx's docker driver on a private dockerd and pushes to an htpasswd registry with the credentials of a
// kubernetes.io/dockerconfigjson Secret the Job mounts. The run's result lists the images with the registry's
// digests.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { type HostRuntime, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import {
  realBuildsSkipReason,
  startTestDockerEngine,
  startTestRegistry,
  type TestDockerEngine,
  type TestRegistry,
} from "@pr-pod/test-docker-engine";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPrPod } from "../src/index.ts";
import { pullRequestOn } from "./host-run-fixtures.ts";
import { collect, leftovers, TEST_TOKEN } from "./run-helpers.ts";

const skip = realBuildsSkipReason();
const PASSWORD = "registry-password-for-runs-77";

describe.skipIf(skip)("a run that builds and pushes real images", () => {
  let server: TestGitServer;
  let engine: TestDockerEngine;
  let registry: TestRegistry;
  let cluster: TestCluster<HostRuntime>;
  let binDir: string;

  beforeAll(async () => {
    [server, engine, registry] = await Promise.all([
      startTestGitServer({ token: TEST_TOKEN }),
      startTestDockerEngine(),
      startTestRegistry({ credentials: { username: "ci", password: PASSWORD } }),
    ]);
    // The pod's `docker`: the real CLI. Its image (docker:24-git) has buildx in a system plugin folder; here
    // the plugin is linked into whatever DOCKER_CONFIG the script uses.
    binDir = await mkdtemp(join(tmpdir(), "runner-real-docker-"));
    await writeFile(
      join(binDir, "docker"),
      `#!/usr/bin/busybox sh
cfg=\${DOCKER_CONFIG:-${engine.configDir}}
[ -e "$cfg/cli-plugins" ] || /usr/bin/busybox ln -s ${JSON.stringify(engine.tools.pluginsDir)} "$cfg/cli-plugins"
export DOCKER_CONFIG="$cfg"
exec ${JSON.stringify(engine.tools.docker)} "$@"
`,
    );
    await chmod(join(binDir, "docker"), 0o755);
    cluster = await startTestCluster({
      runtime: "host",
      namespaces: ["ci"],
      hostRuntime: { extraPath: [binDir], killGraceMs: 200 },
    });
    await cluster.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: "ci",
      body: {
        metadata: { name: "push-creds" },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": Buffer.from(registry.dockerConfigJson()).toString("base64") },
      },
    });
  }, 180_000);
  afterAll(async () => {
    await cluster?.close();
    await Promise.all([server?.close(), engine?.stop(), registry?.stop()]);
    if (binDir) await rm(binDir, { recursive: true, force: true });
  }, 60_000);

  it("pushes each image under the PR's tag and returns target, image, tag and the registry's digest", async () => {
    const context = await pullRequestOn(server, "shop", {
      Dockerfile: "FROM scratch\nCOPY README.md /\n",
      "api/Dockerfile": "FROM scratch\nCOPY main.txt /\n",
      "api/main.txt": "api\n",
    });
    const run = runPrPod({
      kubeConfig: cluster.kubeConfig,
      namespace: "ci",
      token: TEST_TOKEN,
      noConfigFile: true,
      pullRequest: { kind: "context", context },
      buildx: { driver: "docker", endpoint: engine.host },
      registry: { host: registry.host, credentialsSecret: "push-creds" },
    });
    const events = await collect(run);
    const result = await run.result;
    expect(result.status, result.message).toBe("succeeded");
    expect(result.message).toContain("2 images pushed");
    const tag = `pr-7-${context.headSha.slice(0, 7)}`;
    const expected = [];
    for (const [target, contextDir, dockerfile] of [
      ["shop", ".", "Dockerfile"],
      ["api", "api", "api/Dockerfile"],
    ] as const) {
      const digest = await registry.manifestDigest(`acme/shop/${target}`, tag);
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expected.push({
        target,
        context: contextDir,
        dockerfile,
        image: `${registry.host}/acme/shop/${target}:${tag}`,
        tag,
        digest,
        ref: `${registry.host}/acme/shop/${target}@${digest}`,
        pushed: true,
        steps: expect.any(Number),
        cachedSteps: expect.any(Number),
        durationMs: expect.any(Number),
      });
    }
    expect(result.images).toEqual(expected);
    const seen = JSON.stringify(events);
    for (const secret of [TEST_TOKEN, PASSWORD, Buffer.from(`ci:${PASSWORD}`).toString("base64")]) {
      expect(seen).not.toContain(secret);
    }
    // The docker driver makes no pods: the run had no Role, and leaves nothing of its own behind.
    await expect.poll(() => leftovers(cluster.kubeConfig, "ci"), { timeout: 15_000 }).toEqual([]);
  });
});
