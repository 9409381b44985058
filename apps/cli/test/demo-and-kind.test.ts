// pr-pod demo (no cluster, no internet, no token) and `pr-pod cluster up|down|status` through a
// stand-in `kind` and `docker` on PATH that record their arguments and answer like kind v0.31.0.
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { realBuildsSkipReason } from "@pr-pod/test-docker-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliCluster, startCliCluster, TEST_TOKEN } from "./cli-cluster.ts";
import { cliEnvironment, cliPath, runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

/** Where no Docker engine is: the demo falls back to its stand-in. */
const NO_ENGINE = { env: cliEnvironment({ PR_POD_DOCKER_PREFIX: "/nonexistent/pr-pod-docker" }) };

describe.concurrent("pr-pod demo", () => {
  it("runs a whole PR on the in-process cluster with the local git server, and says what stood in", async () => {
    const { code, stdout, stderr } = await runCli(["demo"], NO_ENGINE);
    expect(stderr).toContain("pr-pod demo: an in-process test cluster, a local git server and a stand-in docker");
    expect(stderr).toContain(
      "docker: a stand-in that builds nothing, because no private Docker engine in /nonexistent",
    );
    expect(stderr).toContain("[pr-pod demo] stand-in docker, nothing built: docker buildx build");
    // build → deploy → test: the PR's chart deployed with real helm, and a test Job asked the app.
    expect(stderr).toMatch(/\[charts\] fetched charts\/demo-app at [0-9a-f]{40}/);
    expect(stderr).toMatch(/preview deploy succeeded in/);
    expect(stderr).toMatch(/\[check-greeting\] GET http:\/\/127\.0\.0\.1:\d+\/ -> hello from the pull request/);
    expect(stderr).toMatch(/preview test succeeded in/);
    expect(stderr).toMatch(/preview teardown succeeded in/);
    expect(stdout).toContain("✔ succeeded octo/demo-app#1");
    expect(stdout).toContain("`docker` was a stand-in that recorded these commands and built nothing");
    expect(stdout).toMatch(/ {2}docker buildx create --name pr-pod-demo-app-1-/);
    // The verdict reached the local GitHub API as a GitHub App's check run, with the summary.
    expect(stdout).toContain("  checks/create -> 201\n  checks/update -> 200\n");
    expect(stdout).toContain('Check run "pr-pod": success — pr-pod passed');
    expect(stdout).toContain("  | - required, found: `package.json`, `README.md`, `Dockerfile`");
    expect(code).toBe(0);
  });

  it("shows a failing stage with --scenario fail (exit 14)", async () => {
    const { code, stdout } = await runCli(["demo", "--scenario", "fail"], NO_ENGINE);
    expect(stdout).toContain("missing: Dockerfile");
    expect(code).toBe(14);
  });

  it("is also pr-pod run --cluster test --demo, with a RunResult that names the stand-ins", async () => {
    const { code, stdout } = await runCli(["run", "--cluster", "test", "--demo", "-o", "json"], NO_ENGINE);
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document.demo.docker).toContain("stand-in");
    expect(document.demo.dockerCalls.some((call: string) => call.startsWith("docker buildx build"))).toBe(true);
    expect(document.preview.namespace).toBe("pr-1-demo-app");
    expect(
      document.preview.stages.map((stage: { stage: string; status: string }) => [stage.stage, stage.status]),
    ).toEqual([
      ["deploy", "succeeded"],
      ["test", "succeeded"],
      ["teardown", "succeeded"],
    ]);
    expect(document.preview.tests.results).toContainEqual(
      expect.objectContaining({ name: "check-greeting", status: "passed" }),
    );
  });

  it.skipIf(realBuildsSkipReason())(
    "with the private engine: builds and pushes the PR's images for real, with the registry's digests",
    async () => {
      const { code, stdout, stderr } = await runCli(["demo", "-o", "json"]);
      expect(stderr, stdout).toContain("real builds on a private Docker engine pushed to a local registry");
      expect(code, stderr).toBe(0);
      const document = JSON.parse(stdout);
      expect(validateOutput(document)).toEqual([]);
      expect(document.demo.docker).toMatch(/^real: private dockerd/);
      expect(document.images.map((image: { target: string }) => image.target)).toEqual(["demo-app", "services-worker"]);
      for (const image of document.images) {
        expect(image.ref).toMatch(/^127\.0\.0\.1:\d+\/octo\/demo-app\/[a-z-]+@sha256:[0-9a-f]{64}$/);
        // The demo asked the registry itself: its manifest digest is the one in the report.
        expect(document.demo.registryDigests).toContain(`${image.image} ${image.digest} (matches the report)`);
      }
    },
  );
});

describe("the phase line", () => {
  const hasScript = spawnSync("script", ["--version"]).status === 0;

  it.skipIf(!hasScript)("animates in place on a terminal (util-linux script gives the CLI a pty)", async () => {
    const { code, stdout } = await runScript(`"${process.execPath}" "${cliPath}" demo`);
    expect(stdout).toContain("\r\u001b[2K");
    // The first phase: the private Docker engine where there is one, else the test cluster.
    expect(stdout).toMatch(/⠋ starting (a private Docker engine and registry|the in-process test cluster)/);
    expect(code).toBe(0);
  });

  it("is printed once per phase, without cursor codes, when stderr is not a terminal", async () => {
    const { stderr } = await runCli(["demo"]);
    expect(stderr).toContain("• starting the in-process test cluster\n");
    expect(stderr).not.toContain("\u001b[");
  });
});

function runScript(command: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { env: cliEnvironment({ HOME: tmpdir() }) });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code, stdout }));
    child.stdin.end();
  });
}

describe("pr-pod cluster", () => {
  let folder: string;
  let env: Record<string, string>;
  let kubeconfig: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "pr-pod-cli-kind-"));
    const bin = join(folder, "bin");
    mkdirSync(bin);
    mkdirSync(join(folder, "clusters"));
    const standIn = join(folder, "stand-in.mjs");
    writeFileSync(standIn, standInSource);
    for (const tool of ["kind", "docker"]) {
      writeFileSync(join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${standIn}" ${tool} "$@"\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    kubeconfig = join(folder, "kubeconfig.devbox.yml");
    env = { PATH: `${bin}:${process.env.PATH}`, STAND_IN_STATE: folder, XDG_CACHE_HOME: join(folder, "cache") };
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const calls = () =>
    readFileSync(join(folder, "calls.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);

  it("walks the local loop: status (none), up, up again (reused), status, down, status", async () => {
    const before = await runCli(["cluster", "status"], { env });
    expect(before.stdout).toContain('kind cluster "pr-pod" does not exist');
    expect(before.code).toBe(69);

    const up = await runCli(["cluster", "up", "--no-registry", "--write-kubeconfig", kubeconfig], { env });
    expect(up.stdout).toContain(`kind cluster "pr-pod" is up; context kind-pr-pod in ${kubeconfig}`);
    expect(up.stdout).toContain("next: pr-pod run --context kind-pr-pod");
    expect(up.code).toBe(0);
    expect(existsSync(kubeconfig)).toBe(true);
    const create = calls().find((call) => call[0] === "kind" && call[1] === "create");
    expect(create).toEqual(expect.arrayContaining(["cluster", "--name", "pr-pod", "--kubeconfig", kubeconfig]));
    expect(calls().filter((call) => call[0] === "docker" && call[1] === "run")).toEqual([]);

    const again = await runCli(["cluster", "up", "--no-registry", "--write-kubeconfig", kubeconfig, "-o", "json"], {
      env,
    });
    expect(again.code).toBe(0);
    const document = JSON.parse(again.stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({ kind: "KindCluster", name: "pr-pod", created: false, context: "kind-pr-pod" });

    const status = await runCli(["cluster", "status"], { env });
    expect(status.stdout).toContain('kind cluster "pr-pod" is running');
    expect(status.code).toBe(0);

    const down = await runCli(["cluster", "down"], { env });
    expect(down.stdout).toContain('deleted the kind cluster "pr-pod"');
    expect(down.code).toBe(0);
    expect(readdirSync(join(folder, "clusters"))).toEqual([]);
    expect((await runCli(["cluster", "status"], { env })).code).toBe(69);
  });

  it("maps Docker not running to 69 with kind-cluster's fix", async () => {
    const { code, stderr } = await runCli(["cluster", "up", "--name", "broken"], {
      env: { ...env, STAND_IN_DOCKER_DOWN: "1" },
    });
    expect(stderr).toContain("Docker is not running");
    expect(stderr).toContain("fix:");
    expect(code).toBe(69);
  });
});

describe("pr-pod run --kind", () => {
  let fixture: CliCluster;
  let folder: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fixture = await startCliCluster();
    folder = mkdtempSync(join(tmpdir(), "pr-pod-cli-run-kind-"));
    const bin = join(folder, "bin");
    mkdirSync(bin);
    mkdirSync(join(folder, "clusters"));
    writeFileSync(join(folder, "stand-in.mjs"), standInSource);
    for (const tool of ["kind", "docker"]) {
      writeFileSync(
        join(bin, tool),
        `#!/bin/sh\nexec "${process.execPath}" "${join(folder, "stand-in.mjs")}" ${tool} "$@"\n`,
      );
      chmodSync(join(bin, tool), 0o755);
    }
    // What the stand-in kind "creates": the test cluster, under kind's context name.
    const source = fixture.cluster.kubeConfig;
    const kindConfig = new KubeConfig();
    kindConfig.loadFromOptions({
      clusters: [{ ...source.getCurrentCluster()!, name: "kind-pr-pod" }],
      users: [{ ...source.getCurrentUser()!, name: "kind-pr-pod" }],
      contexts: [{ name: "kind-pr-pod", cluster: "kind-pr-pod", user: "kind-pr-pod" }],
      currentContext: "kind-pr-pod",
    });
    writeFileSync(join(folder, "kind-kubeconfig.yaml"), kindConfig.exportConfig());
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      STAND_IN_STATE: folder,
      STAND_IN_KUBECONFIG_SOURCE: join(folder, "kind-kubeconfig.yaml"),
      KUBECONFIG: join(folder, "kubeconfig"),
      GITHUB_PAT: TEST_TOKEN,
    };
  });
  afterAll(async () => {
    await fixture?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("brings the kind cluster up first, then runs the PR on it", async () => {
    const { code, stdout, stderr } = await runCli(["run", "--kind", ...fixture.prFlags("good", 71)], { env });
    expect(stderr).toContain('kind: Creating cluster "pr-pod" ...');
    expect(stdout).toContain("✔ succeeded octo/app#71");
    expect(code).toBe(0);
    const again = await runCli(["run", "--kind", ...fixture.prFlags("good", 72)], { env });
    expect(again.stderr).toContain('kind: reusing the running kind cluster "pr-pod"');
    expect(again.code).toBe(0);
  });

  it("sets up kind's local registry with the cluster, and a run pushes there with no flags", async () => {
    const up = await runCli(["cluster", "up", "-o", "json"], { env });
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({
      kind: "KindCluster",
      registry: { name: "kind-registry", hostPort: 5001 },
    });
    const calls = readFileSync(join(folder, "calls.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);
    expect(calls).toContainEqual(expect.arrayContaining(["docker", "network", "connect", "kind", "kind-registry"]));
    expect(calls).toContainEqual(expect.arrayContaining(["docker", "exec", "-i", "pr-pod-control-plane", "sh", "-c"]));
    const hosting = await fixture.cluster.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: "kube-public", name: "local-registry-hosting" });
    expect(hosting.data?.["localRegistryHosting.v1"]).toContain('hostFromClusterNetwork: "kind-registry:5000"');

    const run = await runCli(["run", "--kind", ...fixture.prFlags("good", 73)], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("registry: the cluster's local registry kind-registry:5000");
  });
});

describe("the CLI keeps no kind or cluster lifecycle logic of its own", () => {
  it("never runs kind or docker itself: every kind call goes through @pr-pod/kind-cluster", () => {
    const source = resolve(import.meta.dirname, "../src");
    const files = readdirSync(source, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
      .map((entry) => join(entry.parentPath, entry.name));
    const offenders = files.filter((file) => {
      const text = readFileSync(file, "utf8");
      return /(spawn|execFile|exec)(Sync)?\(\s*["'`](kind|docker)["'`]|["'`](create|delete)["'`],\s*["'`]cluster["'`]/.test(
        text,
      );
    });
    expect(offenders).toEqual([]);
  });
});

// Answers like kind v0.31.0 and Docker; keeps clusters as files; records every call.
const standInSource = `
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const [tool, ...args] = process.argv.slice(2);
const state = process.env.STAND_IN_STATE;
appendFileSync(join(state, "calls.log"), JSON.stringify([tool, ...args]) + "\\n");
const flag = (name) => args[args.indexOf(name) + 1];
const clusters = () => readdirSync(join(state, "clusters"));
const kubeconfig = (name) => process.env.STAND_IN_KUBECONFIG_SOURCE ? readFileSync(process.env.STAND_IN_KUBECONFIG_SOURCE, "utf8") : "apiVersion: v1\\nkind: Config\\nclusters:\\n- cluster:\\n    server: https://127.0.0.1:40123\\n  name: kind-" + name + "\\ncontexts:\\n- context:\\n    cluster: kind-" + name + "\\n    user: kind-" + name + "\\n  name: kind-" + name + "\\ncurrent-context: kind-" + name + "\\nusers:\\n- name: kind-" + name + "\\n  user:\\n    token: stand-in\\n";
if (tool === "kind") {
  const [verb, noun] = args;
  if (verb === "version") { console.log("kind v0.31.0 go1.25.5 linux/amd64"); process.exit(0); }
  if (verb === "get" && noun === "clusters") {
    if (clusters().length === 0) { process.stderr.write("No kind clusters found.\\n"); process.exit(0); }
    console.log(clusters().join("\\n")); process.exit(0);
  }
  if (verb === "get" && noun === "nodes") { console.log(flag("--name") + "-control-plane"); process.exit(0); }
  if (verb === "create") {
    const name = flag("--name");
    if (process.env.STAND_IN_DOCKER_DOWN) {
      process.stderr.write("ERROR: failed to create cluster: failed to list nodes: command \\"docker ps -a --filter label=io.x-k8s.kind.cluster=" + name + " --format '{{.Names}}'\\" failed with error: exit status 1\\nCommand Output: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\\n");
      process.exit(1);
    }
    process.stderr.write("Creating cluster \\"" + name + "\\" ...\\n ✓ Ensuring node image (kindest/node:v1.35.0) 🖼\\n ✓ Preparing nodes 📦\\n ✓ Starting control-plane 🕹️\\nSet kubectl context to \\"kind-" + name + "\\"\\n");
    writeFileSync(join(state, "clusters", name), "");
    writeFileSync(flag("--kubeconfig"), kubeconfig(name));
    process.exit(0);
  }
  if (verb === "export") { writeFileSync(flag("--kubeconfig"), kubeconfig(flag("--name"))); process.stderr.write("Set kubectl context to \\"kind-" + flag("--name") + "\\"\\n"); process.exit(0); }
  if (verb === "delete") {
    const name = flag("--name");
    process.stderr.write("Deleting cluster \\"" + name + "\\" ...\\n");
    if (existsSync(join(state, "clusters", name))) rmSync(join(state, "clusters", name));
    process.exit(0);
  }
}
// kind's local registry: a container that exists once \`docker run\` made it, joins the kind network on \`network connect\`.
const registryFile = join(state, "registry");
if (tool === "docker" && args[0] === "inspect" && args[2] === "{{.State.Running}}") {
  if (!existsSync(registryFile)) { process.stderr.write("Error: No such object: " + args[3] + "\\n"); process.exit(1); }
  console.log("true"); process.exit(0);
}
if (tool === "docker" && args[0] === "inspect" && args[2].includes("Networks")) {
  console.log(readFileSync(registryFile, "utf8") === "kind" ? "map[IPAddress:172.18.0.3]" : "<no value>"); process.exit(0);
}
if (tool === "docker" && args[0] === "inspect") {
  for (const node of args.slice(3)) console.log(node + " running");
  process.exit(0);
}
if (tool === "docker" && args[0] === "run") { writeFileSync(registryFile, "bridge"); process.exit(0); }
if (tool === "docker" && args[0] === "network") { writeFileSync(registryFile, "kind"); process.exit(0); }
if (tool === "docker" && args[0] === "exec") { readFileSync(0); process.exit(0); }
process.stderr.write("stand-in: unexpected " + tool + " " + args.join(" ") + "\\n");
process.exit(2);
`;
