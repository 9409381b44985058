// `pr-pod run` as a user runs it: the built binary against the test cluster and a real git server.
// Success, a failing stage, -o json against the schema, Ctrl-C (once: cleaned up, 130; twice: out at
// once with the cleanup command), and the token never printed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli, startCli, waitForStderr } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let fixture: CliCluster;
let cluster: string[];
const env = { GITHUB_PAT: TEST_TOKEN };

beforeAll(async () => {
  fixture = await startCliCluster();
  cluster = ["--kubeconfig", fixture.kubeconfigPath];
});
afterAll(async () => {
  await fixture?.close();
});

describe.concurrent("pr-pod run", () => {
  it("runs a PR to success, streams the pod's log, prints the verdict, and leaves nothing behind", async () => {
    const { code, stdout, stderr } = await runCli(["run", ...fixture.prFlags("good"), ...cluster], { env });
    expect(stderr).toContain("[pr-pod] file found: Dockerfile");
    expect(stderr).toContain("(good → main)");
    expect(stderr).toContain("cleaned up: Job/");
    expect(stdout).toContain("✔ succeeded octo/app#1");
    expect(stdout).toContain("files verified: package.json, README.md, Dockerfile");
    expect(stdout).toContain(
      "artifacts: 1 Dockerfile, 1 Helm chart\n    Dockerfile  Dockerfile\n    Helm chart  charts/app\n",
    );
    expect(stdout).toContain("builds: 1 of 1 ok");
    expect(code).toBe(0);
    expect(await fixture.objectsFor(1)).toEqual([]);
    expect(`${stdout}${stderr}`).not.toContain(TEST_TOKEN);
  });

  it("prints the verdict as soon as the run finishes, then cleans up", async () => {
    // The Job's delete is held for 2 s: the verdict must be on stdout while the cleanup still waits.
    fixture.cluster.faults.addLatency({
      ms: 2000,
      count: 1,
      match: { verb: "delete", resource: "jobs", path: /\/jobs\/pr-pod-app-41-/ },
    });
    const started = startCli(["run", ...fixture.prFlags("good", 41), ...cluster], { env });
    await vi.waitUntil(() => started.output().stdout.includes("✔ succeeded octo/app#41"), { timeout: 60_000 });
    expect(started.output().stderr).not.toContain("cleaned up:");
    const { code, stderr } = await started.done;
    expect(stderr).toContain("cleaned up: Job/");
    expect(code).toBe(0);
    expect(await fixture.objectsFor(41)).toEqual([]);
  });

  it("exits with the pod's stage code when a stage fails (14: required files missing)", async () => {
    const { code, stdout } = await runCli(["run", ...fixture.prFlags("missing-dockerfile"), ...cluster], { env });
    expect(stdout).toContain("✘ failed octo/app#2");
    expect(stdout).toContain("missing: Dockerfile");
    expect(stdout).toContain("stage: verify (pod exit 14");
    expect(code).toBe(14);
    expect(await fixture.objectsFor(2)).toEqual([]);
  });

  it("exits 11 when the git server refuses the token", async () => {
    const { code, stdout, stderr } = await runCli(["run", ...fixture.prFlags("good", 11), ...cluster], {
      env: { GITHUB_PAT: "ghp_wrongwrongwrongwrongwrongwrongwrong1" },
    });
    expect(stdout).toContain("stage: clone (pod exit 11");
    expect(code).toBe(11);
    expect(`${stdout}${stderr}`).not.toContain("ghp_wrongwrongwrongwrongwrongwrongwrong1");
  });

  it("warns once about the token over plain http, and exits 19 when the git server cannot be reached", async () => {
    const flags = fixture.prFlags("good", 18);
    flags[flags.indexOf("--clone-url") + 1] = "http://git.internal.invalid/octo/app.git";
    const { code, stdout, stderr } = await runCli(["run", ...flags, ...cluster], { env });
    expect(stderr.match(/plain HTTP to git\.internal\.invalid/g)).toHaveLength(1);
    expect(stdout).toContain("cannot reach the git server at http://git.internal.invalid/octo/app.git: ");
    expect(stdout).toContain("stage: clone (pod exit 19");
    expect(`${stdout}${stderr}`).not.toContain("force-pushed");
    expect(code).toBe(19);
    expect(await fixture.objectsFor(18)).toEqual([]);
  });

  it("merges onto the base branch's current tip with --checkout merge and says which commit", async () => {
    const { code, stdout, stderr } = await runCli(
      ["run", ...fixture.prFlags("good", 19), ...cluster, "--checkout", "merge"],
      {
        env,
      },
    );
    expect(stderr).toMatch(/merging onto main at its current tip [0-9a-f]{40}/);
    expect(stdout).toMatch(/ {2}merged onto: main at [0-9a-f]{12}\n/);
    expect(code).toBe(0);
    const pinWithoutMerge = await runCli(["run", ...fixture.prFlags("good", 19), ...cluster, "--pin-base"], { env });
    expect(pinWithoutMerge.stderr).toContain("--pin-base pins the base of a merge checkout");
    expect(pinWithoutMerge.code).toBe(64);
  });

  it("prints only a RunResult document on stdout with -o json, valid against the schema", async () => {
    const { code, stdout } = await runCli(["run", ...fixture.prFlags("good", 12), ...cluster, "-o", "json"], { env });
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({
      kind: "RunResult",
      status: "succeeded",
      exitCode: 0,
      pullRequest: { owner: "octo", repo: "app", number: 12, headSha: fixture.sha("good") },
    });
  });

  it("keeps stderr and stdout free of escape codes with NO_COLOR", async () => {
    const { code, stdout, stderr } = await runCli(["run", ...fixture.prFlags("good", 13), ...cluster], {
      env: { ...env, NO_COLOR: "1" },
    });
    expect(code).toBe(0);
    expect(`${stdout}${stderr}`).not.toContain("\u001b[");
  });

  it("reads the token from --env-file, says so, and never prints it", async () => {
    const folder = mkdtempSync(join(tmpdir(), "pr-pod-cli-env-"));
    try {
      const envFile = join(folder, "token.env");
      writeFileSync(envFile, `# the dev token\nexport GITHUB_PAT="${TEST_TOKEN}"\n`);
      const { code, stdout, stderr } = await runCli([
        "run",
        ...fixture.prFlags("good", 17),
        ...cluster,
        "--env-file",
        envFile,
      ]);
      expect(stderr).toMatch(/token: from env-file:\S*token\.env \(classic\)/);
      expect(`${stdout}${stderr}`).not.toContain(TEST_TOKEN);
      expect(code).toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("exits 78 with the places it looked when there is no token", async () => {
    const { code, stderr } = await runCli(["run", ...fixture.prFlags("good", 14), ...cluster]);
    expect(stderr).toContain("GITHUB_PAT");
    expect(code).toBe(78);
    expect(await fixture.objectsFor(14)).toEqual([]);
  });

  it("exits 77 naming the missing permissions when the credentials may not create secrets", async () => {
    const { code, stderr } = await runCli(
      ["run", ...fixture.prFlags("good", 15), "--kubeconfig", fixture.cluster.limitedKubeconfigPath],
      { env },
    );
    expect(stderr).toContain("secrets");
    expect(code).toBe(77);
    expect(await fixture.objectsFor(15)).toEqual([]);
  });

  it("exits 124 when the run's deadline passes", async () => {
    const { code, stdout } = await runCli(["run", ...fixture.prFlags("blocking", 16), ...cluster, "--timeout", "2"], {
      env,
    });
    expect(stdout).toContain("✘ failed");
    expect(code).toBe(124);
    expect(await fixture.objectsFor(16)).toEqual([]);
  });
});

describe("Ctrl-C", () => {
  it("first press: deletes what the run created, then exits 130", async () => {
    const { child, done } = startCli(["run", ...fixture.prFlags("blocking", 21), ...cluster], { env });
    await waitForStderr(child, "[stand-in docker] blocking");
    expect(await fixture.objectsFor(21)).toContain(`Secret/pr-pod-app-21-${fixture.sha("blocking").slice(0, 7)}-token`);
    child.kill("SIGINT");
    const { code, stderr, stdout } = await done;
    expect(stderr).toContain("Interrupted: deleting what this run created");
    expect(stdout).toContain("■ aborted");
    expect(code).toBe(130);
    expect(await fixture.objectsFor(21)).toEqual([]);
  });

  it("SIGTERM (a cancelled CI job) cleans up the same way and exits 143", async () => {
    const { child, done } = startCli(["run", ...fixture.prFlags("blocking", 23), ...cluster], { env });
    await waitForStderr(child, "[stand-in docker] blocking");
    child.kill("SIGTERM");
    const { code, stderr } = await done;
    expect(stderr).toContain("Terminated: deleting what this run created");
    expect(code).toBe(143);
    expect(await fixture.objectsFor(23)).toEqual([]);
  });

  it("second press: exits 130 at once and prints the cleanup command that finishes the job", async () => {
    const { child, done } = startCli(["run", ...fixture.prFlags("blocking", 22), ...cluster], { env });
    await waitForStderr(child, "[stand-in docker] blocking");
    // Hold every delete the cleanup sends, so the second press surely lands while it is under way.
    fixture.cluster.faults.addLatency({ ms: 60_000, match: { verb: "delete" } });
    try {
      child.kill("SIGINT");
      await waitForStderr(child, "Interrupted:");
      child.kill("SIGINT");
      const { code, stderr } = await done;
      expect(code).toBe(130);
      const cleanup = `pr-pod cleanup --repo octo/app --pr 22 --kubeconfig ${fixture.kubeconfigPath}`;
      expect(stderr).toContain(cleanup);
    } finally {
      fixture.cluster.faults.clear();
    }
    const finished = await runCli(["cleanup", "--repo", "octo/app", "--pr", "22", ...cluster]);
    expect(finished.code).toBe(0);
    expect(await fixture.objectsFor(22)).toEqual([]);
  });
});
