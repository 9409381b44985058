// The command line itself, before any cluster: help with examples everywhere, the version, usage
// errors, the kubeconfig order and its errors, colours only where they belong.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, runCli } from "./cli-process.ts";
import { validateOutput } from "./output-schema.ts";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const escapeCode = "\u001b[";
const scratch = mkdtempSync(join(tmpdir(), "pr-pod-cli-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const commands = [
  ["run"],
  ["render"],
  ["simulate"],
  ["status"],
  ["logs"],
  ["cleanup"],
  ["doctor"],
  ["cluster"],
  ["cluster", "up"],
  ["cluster", "down"],
  ["cluster", "status"],
  ["demo"],
];

describe("pr-pod --help", () => {
  it("lists every command, the kubeconfig order and the exit codes", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const [name] of commands) expect(stdout).toContain(`  ${name}`);
    expect(stdout).toMatch(
      /1\. --kubeconfig[\s\S]*2\. KUBECONFIG[\s\S]*3\. KUBECONFIG_PRIMARY[\s\S]*4\. KUBECONFIG_DEV[\s\S]*5\. ~\/\.kube\/config/,
    );
    expect(stdout).toContain("130 Ctrl-C");
  });

  it.concurrent.each(commands.map((command) => [command.join(" ")]))(
    "shows examples in pr-pod %s --help",
    async (command) => {
      const { code, stdout } = await runCli([...command.split(" "), "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain("Examples:");
      expect(stdout).toContain("$ pr-pod ");
    },
  );

  it("stops quietly when the reader closes the pipe early (pr-pod serve --help | head -1)", () => {
    // The shell's pipe closes after head's one line; the rest of the help text meets EPIPE.
    const piped = spawnSync("sh", ["-c", `"${process.execPath}" "${cliPath}" serve --help 2>&1 | head -1`], {
      encoding: "utf8",
    });
    expect(piped.stdout).toBe("Usage: pr-pod serve [options]\n");
    // A reader gone before the first write: every write meets EPIPE.
    const closed = spawnSync(
      "sh",
      ["-c", `exec 3>&1; ( "${process.execPath}" "${cliPath}" serve --help; echo "exit=$?" >&3 ) | true`],
      { encoding: "utf8" },
    );
    expect(closed.stderr).not.toContain("EPIPE");
    expect(closed.stdout).toBe("exit=0\n");
  });

  it("prints the package version", async () => {
    const { code, stdout } = await runCli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(manifest.version);
  });
});

const OFFLINE_RENDER = [
  "render",
  "--repo",
  "octo/app",
  "--pr",
  "1",
  "--sha",
  "0".repeat(40),
  "--head-ref",
  "f",
  "--base-ref",
  "main",
];

describe("registry and builder flags", () => {
  it("put the registry, image names and builder in the Job, mount the credentials Secret, and drop the Role for remote", async () => {
    const { code, stdout, stderr } = await runCli([
      ...OFFLINE_RENDER,
      "--registry",
      "localhost:5001",
      "--insecure-registry",
      "--registry-secret",
      "push-creds",
      "--no-cache",
      "--builder",
      "remote",
      "--builder-endpoint",
      "tcp://buildkitd:1234",
    ]);
    expect(code, stderr).toBe(0);
    for (const [name, value] of [
      ["PR_POD_REGISTRY", "localhost:5001"],
      ["PR_POD_REGISTRY_INSECURE", '"true"'],
      ["PR_POD_CACHE", "none"],
      ["PR_POD_BUILDX_DRIVER", "remote"],
      ["PR_POD_BUILDX_ENDPOINT", "tcp://buildkitd:1234"],
      ["PR_POD_REGISTRY_AUTH", "/pr-pod/registry-auth/.dockerconfigjson"],
    ]) {
      expect(stdout).toMatch(
        new RegExp(`- name: ${name}\\n\\s+value: ${value!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\n`),
      );
    }
    expect(stdout).toContain("secretName: push-creds");
    expect(stdout).not.toContain("kind: Role");
  });
});

describe("usage errors exit 64", () => {
  it.each([
    [["run", "--bogus"], "unknown option '--bogus'"],
    [["run", "--pr", "abc"], "not a pull request number"],
    [["nope"], "unknown command 'nope'"],
    [["status", "-o", "xml"], "Allowed choices are text, json, yaml"],
    [["render", "--repo", "octo/app"], "--repo and --pr are required"],
    [["render", "--repo", "octo/app", "--pr", "1", "--sha", "abc"], "missing --head-ref, --base-ref"],
    [["run", "--repo", "octo/app", "--pr", "1", "--timeout", "soon"], "is not a duration"],
    [
      [...OFFLINE_RENDER, "--insecure-registry"],
      "registry settings (insecure) without a registry: add --registry <host>",
    ],
    [
      [...OFFLINE_RENDER, "--registry", "https://ghcr.io/acme"],
      "is not a registry host: use host[:port][/prefix] without a scheme",
    ],
    [[...OFFLINE_RENDER, "--builder", "remote"], 'builder.driver "remote" needs builder.endpoint'],
  ])("pr-pod %j", { concurrent: true }, async (args, message) => {
    const { code, stderr, stdout } = await runCli(args);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
    expect(code).toBe(64);
  });
});

describe.concurrent("kubeconfig", () => {
  it("says where it looked instead of falling back to localhost:8080 when there is none", async () => {
    const { code, stderr } = await runCli(["status"]);
    expect(stderr).toContain(
      "no kubeconfig found: looked at --kubeconfig, KUBECONFIG, KUBECONFIG_PRIMARY, KUBECONFIG_DEV",
    );
    expect(stderr).toContain("fix: ");
    expect(stderr).not.toContain("localhost:8080");
    expect(code).toBe(69);
  });

  it("names a KUBECONFIG that points at nothing rather than falling through to the next", async () => {
    const missing = join(scratch, "missing.yaml");
    const { code, stderr } = await runCli(["status"], { env: { KUBECONFIG: missing, KUBECONFIG_DEV: missing } });
    expect(stderr).toContain(`KUBECONFIG=${missing}: no such file`);
    expect(code).toBe(69);
  });

  it("names an unknown --context and the contexts there are", async () => {
    const file = join(scratch, "two-contexts.yaml");
    writeFileSync(file, kubeconfigWithContexts(["dev", "prod"]));
    const { code, stderr } = await runCli(["status", "--kubeconfig", file, "--context", "staging"]);
    expect(stderr).toContain('context "staging" is not in');
    expect(stderr).toContain("use one of: dev, prod");
    expect(code).toBe(64);
  });

  it("says the cluster is unreachable when nothing listens at its server", async () => {
    const file = join(scratch, "unreachable.yaml");
    writeFileSync(file, kubeconfigWithContexts(["dev"], "https://127.0.0.1:1"));
    const { code, stderr } = await runCli(["status", "--kubeconfig", file]);
    expect(stderr).toContain("127.0.0.1:1");
    expect(code).toBe(69);
  });
});

describe.concurrent("output", () => {
  it("writes an Error document to stdout in -o json, matching the published schema", async () => {
    const { code, stdout } = await runCli(["status", "-o", "json"]);
    expect(code).toBe(69);
    const document = JSON.parse(stdout);
    expect(validateOutput(document)).toEqual([]);
    expect(document).toMatchObject({ kind: "Error", code: "NO_KUBECONFIG", exitCode: 69 });
  });

  it("prints no escape codes with NO_COLOR", async () => {
    const { stderr } = await runCli(["status"], { env: { NO_COLOR: "1" } });
    expect(stderr).toContain("error:");
    expect(stderr).not.toContain(escapeCode);
  });

  it("prints no escape codes when stderr is not a terminal", async () => {
    const { stderr } = await runCli(["status"]);
    expect(stderr).not.toContain(escapeCode);
  });

  it("colours errors with FORCE_COLOR", async () => {
    const { stderr } = await runCli(["status"], { env: { FORCE_COLOR: "1" } });
    expect(stderr).toContain(escapeCode);
  });
});

function kubeconfigWithContexts(names: string[], server = "https://127.0.0.1:6443"): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "u", user: { token: "kube-test-token" } }],
    contexts: names.map((name) => ({ name, context: { cluster: "c", user: "u" } })),
    "current-context": names[0],
  });
}
