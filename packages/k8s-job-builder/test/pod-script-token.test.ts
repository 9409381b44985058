// The token never shows: not in the log (even with set -x), argv, ps output, .git, or the report.
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodScript } from "../src/index.ts";
import { createHarness, type Harness, installDockerStandin, installGitRecorder } from "./pod-script-harness.ts";
import { createPrFixtures } from "./pr-fixtures.ts";

// Its own made-up token: ps sees every process on the machine, and other tests use the shared test token.
const TOKEN = "ghp_leakcheckleakcheckleakcheckleak0042";

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
