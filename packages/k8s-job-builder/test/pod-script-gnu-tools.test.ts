// The same script with the host's GNU find/sed/grep/awk instead of busybox's, as the test cluster's host
// runtime runs it (only the shell is swapped for busybox there); and under dash, a strict POSIX shell.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import { createHarness, type Harness, installDockerStandin } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
let server: TestGitServer;
let harness: Harness;
let dashHarness: Harness;
const { contextFor, envFor, prRepo } = createPrFixtures(() => server, TOKEN);

beforeAll(async () => {
  server = await startTestGitServer({ token: TOKEN });
  harness = await createHarness({ tools: "host" });
  dashHarness = await createHarness({ tools: "host", shell: ["dash"] });
});
afterAll(async () => {
  await server?.close();
  await harness?.cleanup();
  await dashHarness?.cleanup();
});

describe("the pod script with GNU tools", () => {
  it("merges, verifies, detects odd names and builds like it does with busybox", async () => {
    const record = join(harness.dir, "docker.calls");
    await installDockerStandin(harness.standinBin, record);
    const odd = 'sp ace/"q"\\ñ\t/Dockerfile';
    const { repo, headSha } = await prRepo("gnu", { [odd]: "FROM scratch\n", "chart/Chart.yaml": "name: c\n" });
    const baseSha = await repo.commit({ "base.txt": "b\n" }, { branch: "main" });
    const run = await harness.run({
      script: buildPrPodScript({ verify: { required: ["package.json", "**/Chart.yaml"], optional: ["nope"] } }),
      env: {
        ...envFor(contextFor("gnu", headSha), { PR_POD_CHECKOUT: "merge" }),
        PR_POD_BUILD: "true",
        PR_POD_BUILDER_NAME: "b",
        PR_POD_NAMESPACE: "ci",
      },
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report).toMatchObject({
      baseSha,
      files: { found: ["package.json", "**/Chart.yaml"], missing: [], optionalMissing: ["nope"] },
      artifacts: { dockerfiles: ["Dockerfile", odd], charts: ["chart"] },
    });
    expect(run.report?.builds?.map((b) => [b.file, b.ok, b.digest?.length])).toEqual([
      ["Dockerfile", true, 71],
      [odd, true, 71],
    ]);
    expect((await readFile(record, "utf8")).split("--\n").filter(Boolean)).toHaveLength(4);
  });

  it("runs under dash, a strict POSIX shell, from clone to build failure", async () => {
    const record = join(dashHarness.dir, "docker.calls");
    await installDockerStandin(dashHarness.standinBin, record);
    const { headSha } = await prRepo("dash", { "bad/Dockerfile": "FROM scratch\nRUN FAIL\n" });
    const run = await dashHarness.run({
      script: buildPrPodScript(),
      env: {
        ...envFor(contextFor("dash", headSha)),
        PR_POD_BUILD: "true",
        PR_POD_BUILDER_NAME: "b",
        PR_POD_NAMESPACE: "ci",
      },
    });
    expect(run.exitCode, run.log).toBe(16);
    expect(run.report?.builds?.map((b) => b.ok)).toEqual([true, false]);
    expect((await readFile(record, "utf8")).split("--\n").filter(Boolean).at(-1)).toBe("buildx\nrm\nb\n");
  });
});
