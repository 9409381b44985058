// `pr-pod run --report github` as a user runs it: the built binary, the test cluster, a real git
// server, and the GitHub API test server, which refuses any request GitHub's description refuses.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, REPO, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli, startCli, waitForStderr } from "./cli-process.ts";

let fixture: CliCluster;
let github: TestGitHubServer;
let cluster: string[];
let dir: string;
const env = { GITHUB_PAT: TEST_TOKEN };

beforeAll(async () => {
  fixture = await startCliCluster();
  github = await startTestGitHubServer();
  github.addToken(TEST_TOKEN, { kind: "pat" }, "pat");
  cluster = ["--kubeconfig", fixture.kubeconfigPath];
  dir = mkdtempSync(join(tmpdir(), "pr-pod-report-"));
});
afterAll(async () => {
  await fixture?.close();
  const rejected = github?.calls.filter((call) => call.rejected) ?? [];
  await github?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(rejected, "requests GitHub's description rejects").toEqual([]);
});

function addPr(scenario: "good" | "missing-dockerfile" | "blocking", pr: number): void {
  github.addPullRequest({ repo: REPO, number: pr, headSha: fixture.sha(scenario), headRef: scenario });
}

describe("pr-pod run --report github", () => {
  it("sets the PR's commit status pending, then success with the link given, using the PAT", async () => {
    addPr("good", 31);
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        ...fixture.prFlags("good", 31),
        ...cluster,
        "--report",
        "github",
        "--github-api-url",
        github.url,
        "--report-url",
        "https://ci.example/runs/31",
      ],
      { env },
    );
    expect(code).toBe(0);
    expect(stdout).toContain("✔ succeeded octo/app#31");
    const statuses = github.statuses(REPO, fixture.sha("good"));
    expect(statuses.map((s) => [s.state, s.context, s.targetUrl])).toEqual([
      ["pending", "pr-pod", "https://ci.example/runs/31"],
      ["success", "pr-pod", "https://ci.example/runs/31"],
    ]);
    expect(`${stdout}${stderr}`).not.toContain(TEST_TOKEN);
  });

  it("reports a failing stage as a GitHub App's check run with an annotation, printing neither key nor token", async () => {
    addPr("missing-dockerfile", 32);
    const app = github.addApp({ permissions: { checks: "write", statuses: "write" } });
    const keyFile = join(dir, "app.pem");
    writeFileSync(keyFile, app.privateKey, { mode: 0o600 });
    const { code, stdout, stderr } = await runCli(
      [
        "run",
        ...fixture.prFlags("missing-dockerfile", 32),
        ...cluster,
        "--report",
        "github",
        "--report-context",
        "pr-pod/verify",
        "--github-api-url",
        github.url,
      ],
      {
        env: {
          ...env,
          GITHUB_APP_ID: String(app.appId),
          GITHUB_APP_INSTALLATION_ID: String(app.installationId),
          GITHUB_APP_PRIVATE_KEY_FILE: keyFile,
        },
      },
    );
    expect(code).toBe(14);
    const run = github.checkRuns(REPO).find((c) => c.headSha === fixture.sha("missing-dockerfile"));
    expect(run).toMatchObject({ name: "pr-pod/verify", status: "completed", conclusion: "failure" });
    expect(run?.output.annotations).toEqual([
      expect.objectContaining({ path: "Dockerfile", annotation_level: "failure" }),
    ]);
    expect(run?.output.text).toContain("[pr-pod] file missing: Dockerfile");
    const printed = `${stdout}${stderr}`;
    for (const line of app.privateKey.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) {
      expect(printed).not.toContain(line);
    }
    for (const token of github.installationTokens) expect(printed).not.toContain(token);
  });

  it("sends error, never leaving pending, when a cancelled CI job sends SIGTERM mid-run", async () => {
    addPr("blocking", 34);
    const { child, done } = startCli(
      ["run", ...fixture.prFlags("blocking", 34), ...cluster, "--report", "github", "--github-api-url", github.url],
      { env },
    );
    await waitForStderr(child, "[stand-in docker] blocking");
    expect(github.statuses(REPO, fixture.sha("blocking")).map((s) => s.state)).toEqual(["pending"]);
    child.kill("SIGTERM");
    const { code } = await done;
    expect(code).toBe(143);
    const statuses = github.statuses(REPO, fixture.sha("blocking"));
    expect(statuses.map((s) => s.state)).toEqual(["pending", "error"]);
    expect(statuses[1]!.description).toMatch(/^pr-pod was cancelled in \d+ s: the run was aborted/);
  });

  it("exits 64 when report settings come without --report github", async () => {
    const { code, stderr } = await runCli(["run", ...fixture.prFlags("good", 33), ...cluster, "--report-comment"], {
      env,
    });
    expect(code).toBe(64);
    expect(stderr).toContain("--report-context, --report-url and --report-comment need --report github");
  });
});
