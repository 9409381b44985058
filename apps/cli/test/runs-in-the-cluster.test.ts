// What a run leaves with --keep, as status, logs and cleanup see it (the spike's kubectl get/logs/
// delete by label), and render piped into the real kubectl's server-side dry run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli, startCli, waitForStderr } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let fixture: CliCluster;
let cluster: string[];
let runName: string;
const env = { GITHUB_PAT: TEST_TOKEN };

beforeAll(async () => {
  fixture = await startCliCluster();
  cluster = ["--kubeconfig", fixture.kubeconfigPath];
  const kept = await runCli(["run", ...fixture.prFlags("good", 31), ...cluster, "--keep", "-o", "json"], { env });
  expect(kept.code).toBe(0);
  runName = JSON.parse(kept.stdout).jobName;
});
afterAll(async () => {
  await fixture?.close();
});

describe("pr-pod status", () => {
  it("lists the kept run with its PR and outcome", async () => {
    const { code, stdout } = await runCli(["status", ...cluster]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^RUN\s+NAMESPACE\s+PR\s+SHA\s+STATUS/);
    expect(stdout).toContain(runName);
    expect(stdout).toContain("octo/app#31");
    expect(stdout).toContain("succeeded");
  });

  it("gives a RunList in -o json, valid against the schema, filtered by --repo --pr", async () => {
    const { code, stdout } = await runCli(["status", "--repo", "octo/app", "--pr", "31", ...cluster, "-o", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.items).toEqual([
      expect.objectContaining({ name: runName, repo: "octo/app", pr: 31, status: "succeeded" }),
    ]);
    const other = JSON.parse(
      (await runCli(["status", "--repo", "octo/app", "--pr", "99", ...cluster, "-o", "json"])).stdout,
    );
    expect(other.items).toEqual([]);
  });

  it("gives YAML with -o yaml", async () => {
    const { code, stdout } = await runCli(["status", ...cluster, "-o", "yaml"]);
    expect(code).toBe(0);
    expect(stdout).toContain("kind: RunList");
    expect(stdout).toContain(`name: ${runName}`);
  });
});

describe("pr-pod logs", () => {
  it("prints the finished run's pod log on stdout", async () => {
    const { code, stdout } = await runCli(["logs", runName, ...cluster]);
    expect(code).toBe(0);
    expect(stdout).toContain("[pr-pod] file found: package.json");
    expect(stdout).toContain("[pr-pod] done");
    expect(stdout).not.toContain(TEST_TOKEN);
  });

  it("follows a running pod's log live with -f until interrupted", async () => {
    const run = startCli(["run", ...fixture.prFlags("blocking", 32), ...cluster], { env });
    await waitForStderr(run.child, "[stand-in docker] blocking");
    const name = /created Job\/(\S+)/.exec(run.output().stderr)?.[1];
    expect(name).toBeDefined();
    const follow = startCli(["logs", name!, "-f", ...cluster]);
    await new Promise<void>((resolve) => {
      let seen = "";
      follow.child.stdout?.on("data", (chunk: Buffer | string) => {
        seen += chunk.toString();
        if (seen.includes("[stand-in docker] blocking")) resolve();
      });
    });
    follow.child.kill("SIGINT");
    expect((await follow.done).code).toBe(130);
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(130);
  });

  it("says which runs there are when the name is wrong (65)", async () => {
    const { code, stderr } = await runCli(["logs", "pr-pod-nope-1-abcdef0", ...cluster]);
    expect(stderr).toContain("no pr-pod run named pr-pod-nope-1-abcdef0");
    expect(stderr).toContain(runName);
    expect(code).toBe(65);
  });
});

describe("pr-pod cleanup", () => {
  it("refuses to guess which runs without --repo or --all (64)", async () => {
    const { code, stderr } = await runCli(["cleanup", ...cluster]);
    expect(stderr).toContain("--all");
    expect(code).toBe(64);
  });

  it("deletes the kept run's objects by label and says what it deleted", async () => {
    expect((await fixture.objectsFor(31)).length).toBeGreaterThan(0);
    const { code, stdout } = await runCli(["cleanup", "--repo", "octo/app", "--pr", "31", ...cluster, "-o", "json"]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.deleted.map((o: { kind: string }) => o.kind)).toEqual(
      expect.arrayContaining(["Job", "Secret", "ServiceAccount", "Role", "RoleBinding"]),
    );
    expect(await fixture.objectsFor(31)).toEqual([]);
    expect((await runCli(["status", ...cluster])).stdout).toContain("no pr-pod runs");
  });
});

describe("pr-pod render", () => {
  const renderFlags = (pr: number) => fixture.prFlags("good", pr);
  function kubectlDryRun(yaml: string, extra: string[] = []): Promise<{ code: number | null; output: string }> {
    const kubectl = join(process.env.PR_POD_KUBE_TOOLS ?? "", "kubectl");
    return new Promise((resolve, reject) => {
      const child = spawn(kubectl, [
        "--kubeconfig",
        fixture.kubeconfigPath,
        "create",
        "--dry-run=server",
        ...extra,
        "-f",
        "-",
      ]);
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
      });
      child.stderr.on("data", (chunk) => {
        output += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output }));
      child.stdin.end(yaml);
    });
  }

  it("prints manifests the real kubectl accepts with a server-side dry run, without any token", async () => {
    const { code, stdout } = await runCli(["render", ...renderFlags(41), "-n", "ci"], { env });
    expect(code).toBe(0);
    expect(stdout).not.toContain(TEST_TOKEN);
    const dryRun = await kubectlDryRun(stdout);
    expect(dryRun.output).toContain("job.batch/pr-pod-app-41-");
    expect(dryRun.output).toContain("(server dry run)");
    expect(dryRun.code).toBe(0);
  });

  it("prints a v1 List in -o json that kubectl also accepts", async () => {
    const { code, stdout } = await runCli(["render", ...renderFlags(42), "-o", "json"]);
    expect(code).toBe(0);
    expect(validateOutput(JSON.parse(stdout))).toEqual([]);
    // For a List, kubectl validates on the client from /openapi/v2, which the test cluster does not
    // serve (it has v3 only); the server-side dry run still checks every object.
    const dryRun = await kubectlDryRun(stdout, ["--validate=false"]);
    expect(dryRun.output).toContain("(server dry run)");
    expect(dryRun.code).toBe(0);
  });
});
