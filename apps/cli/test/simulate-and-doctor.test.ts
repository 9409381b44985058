// simulate: a pull_request delivery through the webhook path, from a file or made from flags.
// doctor: each check, and the exit code of the first that fails. GitHub API failures map to 68/65.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, REPO, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

let fixture: CliCluster;
let cluster: string[];
let scratch: string;
const env = { GITHUB_PAT: TEST_TOKEN };

beforeAll(async () => {
  fixture = await startCliCluster();
  cluster = ["--kubeconfig", fixture.kubeconfigPath];
  scratch = mkdtempSync(join(tmpdir(), "pr-pod-cli-simulate-"));
});
afterAll(async () => {
  await fixture?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A pull_request delivery body shaped as GitHub sends it, for the fixture's repository on the local git server. */
function deliveryBody(number: number) {
  const repository = {
    id: 1296269,
    name: "app",
    full_name: REPO,
    private: false,
    owner: { login: "octo", id: 1, type: "Organization" },
    html_url: "https://github.com/octo/app",
    clone_url: fixture.git.repoUrl(REPO),
    fork: false,
    default_branch: "main",
  };
  return {
    action: "opened",
    number,
    pull_request: {
      id: 1,
      number,
      state: "open",
      locked: false,
      title: "Add an image and a chart",
      user: { login: "hubot", id: 2, type: "User" },
      draft: false,
      html_url: `https://github.com/octo/app/pull/${number}`,
      head: { label: "octo:good", ref: "good", sha: fixture.sha("good"), user: repository.owner, repo: repository },
      base: {
        label: "octo:main",
        ref: "main",
        sha: fixture.sha("missing-dockerfile"),
        user: repository.owner,
        repo: repository,
      },
    },
    repository,
    sender: { login: "hubot", id: 2, type: "User" },
  };
}

describe.concurrent("pr-pod simulate", () => {
  it("runs a saved pull_request delivery through the webhook path to success", async () => {
    const file = join(scratch, "pull_request.json");
    writeFileSync(file, JSON.stringify(deliveryBody(51)));
    const { code, stdout, stderr } = await runCli(["simulate", "--event", file, ...cluster], { env });
    expect(stderr).toContain('octo/app#51 "Add an image and a chart"');
    expect(stdout).toContain("✔ succeeded octo/app#51");
    expect(code).toBe(0);
    expect(await fixture.objectsFor(51)).toEqual([]);
  });

  it("makes a realistic payload from flags and shows what it resolves to, without a cluster", async () => {
    const { code, stdout } = await runCli([
      "simulate",
      ...fixture.prFlags("good", 52),
      "--base-sha",
      fixture.sha("missing-dockerfile"),
      "--action",
      "reopened",
      "--print-payload",
      "-o",
      "json",
    ]);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.payload).toMatchObject({ action: "reopened", number: 52, pull_request: { head: { ref: "good" } } });
    expect(document.pullRequest).toMatchObject({
      source: "webhook",
      action: "reopened",
      number: 52,
      headSha: fixture.sha("good"),
    });
  });

  it("takes one --clone-url as the repository, and a fork only from --head-repo", async () => {
    const payloadFor = async (extra: string[]) => {
      const { code, stdout } = await runCli([
        "simulate",
        ...fixture.prFlags("good", 53),
        ...extra,
        "--base-sha",
        fixture.sha("missing-dockerfile"),
        "--print-payload",
        "-o",
        "json",
      ]);
      expect(code).toBe(0);
      return JSON.parse(stdout).payload.pull_request;
    };
    const same = await payloadFor([]);
    expect(same.head.repo).toMatchObject({
      full_name: "octo/app",
      fork: false,
      clone_url: fixture.git.repoUrl("octo/app"),
    });
    expect(same.base.repo.clone_url).toBe(fixture.git.repoUrl("octo/app"));
    const fork = await payloadFor(["--head-repo", "forker/app"]);
    expect(fork.head.repo).toMatchObject({
      full_name: "forker/app",
      fork: true,
      clone_url: fixture.git.repoUrl("forker/app"),
    });
    expect(fork.base.repo.clone_url).toBe(fixture.git.repoUrl("octo/app"));
    const misplaced = await runCli([
      "simulate",
      "--repo",
      "octo/app",
      "--pr",
      "53",
      "--head-repo",
      "forker/app",
      "--print-payload",
    ]);
    expect(misplaced.stderr).toContain("--head-repo names a fork for offline mode only");
    expect(misplaced.code).toBe(64);
  });

  it("exits 65 for a delivery that is not a pull_request event", async () => {
    const file = join(scratch, "push.json");
    writeFileSync(file, JSON.stringify({ ref: "refs/heads/main", commits: [] }));
    const { code, stderr } = await runCli(["simulate", "--event", file, "--print-payload"]);
    expect(stderr).toContain("no pull_request field");
    expect(code).toBe(65);
  });

  it("exits 65 naming the file when it is not there", async () => {
    const { code, stderr } = await runCli(["simulate", "--event", join(scratch, "missing.json")]);
    expect(stderr).toContain("missing.json: no such file");
    expect(code).toBe(65);
  });
});

describe.concurrent("GitHub API errors", () => {
  let github: Server;
  let apiUrl: string;
  beforeAll(async () => {
    github = createServer((request, response) => {
      const status = request.url?.includes("/pulls/404") ? 404 : 401;
      response.writeHead(status, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ message: status === 404 ? "Not Found" : "Bad credentials", status: String(status) }),
      );
    });
    await new Promise<void>((resolve) => github.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => github.close(() => resolve())));

  it("exits 68 when GitHub rejects the token", async () => {
    const { code, stderr } = await runCli(
      ["run", "--repo", REPO, "--pr", "401", "--github-api-url", apiUrl, ...cluster],
      { env },
    );
    expect(stderr).toMatch(/401|credentials|token/i);
    expect(stderr).not.toContain(TEST_TOKEN);
    expect(code).toBe(68);
  });

  it("exits 65 when the pull request does not exist", async () => {
    const { code, stderr } = await runCli(
      ["run", "--repo", REPO, "--pr", "404", "--github-api-url", apiUrl, ...cluster],
      { env },
    );
    expect(stderr).toContain("404");
    expect(code).toBe(65);
  });
});

describe.concurrent("pr-pod doctor", () => {
  it("passes against a reachable cluster with the permissions and a token, saying where each came from", async () => {
    const { code, stdout } = await runCli(["doctor", ...cluster], { env });
    expect(stdout).toMatch(/✔ kubeconfig\s+.*kubeconfig \(from --kubeconfig\)/);
    expect(stdout).toMatch(/✔ cluster\s+Kubernetes v1\./);
    expect(stdout).toMatch(/✔ namespace\s+default exists/);
    expect(stdout).toMatch(/✔ permissions\s+all \d+ permissions/);
    expect(stdout).toMatch(/✔ token\s+found in GITHUB_PAT \(classic token/);
    expect(stdout).not.toContain(TEST_TOKEN);
    expect(stdout).toContain("ready to run");
    expect(code).toBe(0);
  });

  it("gives a DoctorReport in -o json, valid against the schema", async () => {
    const { code, stdout } = await runCli(["doctor", ...cluster, "-o", "json"], { env });
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.checks.map((check: { name: string }) => check.name)).toEqual([
      "kubeconfig",
      "cluster",
      "namespace",
      "permissions",
      "kind",
      "token",
    ]);
  });

  it("exits 77 naming the missing permissions for limited credentials", async () => {
    const { code, stdout } = await runCli(["doctor", "--kubeconfig", fixture.cluster.limitedKubeconfigPath], { env });
    expect(stdout).toMatch(/✘ permissions\s+missing \d+ of \d+: create secrets in namespace default/);
    expect(code).toBe(77);
  });

  it("exits 65 when the namespace does not exist", async () => {
    const { code, stdout } = await runCli(["doctor", ...cluster, "-n", "nowhere"], { env });
    expect(stdout).toContain("namespace nowhere does not exist");
    expect(code).toBe(65);
  });

  it("exits 78 when there is no token", async () => {
    const { code, stdout } = await runCli(["doctor", ...cluster]);
    expect(stdout).toMatch(/✘ token/);
    expect(code).toBe(78);
  });

  it("exits 69 when there is no kubeconfig, and still checks the token", async () => {
    const { code, stdout } = await runCli(["doctor"], { env });
    expect(stdout).toMatch(/✘ kubeconfig\s+no kubeconfig found/);
    expect(stdout).toMatch(/✔ token/);
    expect(code).toBe(69);
  });
});
