// Runs the built `pr-pod` binary as a child process, the way a user's shell would: its own
// environment (no stray token, a HOME with no kubeconfig unless a test puts one there), stdout and
// stderr captured apart, and the exit code.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const cliPath = resolve(import.meta.dirname, "../dist/cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
}

const inheritedVariables = ["PATH", "LANG", "TMPDIR", "PR_POD_KUBE_TOOLS", "SYSTEMROOT"];

/** A clean environment: PATH and friends, a fresh HOME, nothing else unless the test adds it. */
export function cliEnvironment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of inheritedVariables) if (process.env[name] !== undefined) env[name] = process.env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** What the child has written so far (for a name it printed while it still runs). */
  output(): { stdout: string; stderr: string };
}

export function startCli(args: string[], options: CliOptions = {}): StartedCli {
  const home = options.env?.HOME ? undefined : mkdtempSync(join(tmpdir(), "pr-pod-cli-home-"));
  const env = cliEnvironment({ ...(home ? { HOME: home } : {}), ...options.env });
  // The fresh HOME is also the default working folder, so no web/.env or pr-pod.config.* from the
  // workspace leaks into a test.
  const cwd = options.cwd ?? home ?? options.env?.HOME;
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? "");
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (home) rmSync(home, { recursive: true, force: true });
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Resolves once the child's stderr contains `text` (or rejects when the child exits first). */
export function waitForStderr(child: ChildProcess, text: string | RegExp): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const matches = () => (typeof text === "string" ? seen.includes(text) : text.test(seen));
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (matches()) {
        child.stderr?.off("data", onData);
        resolvePromise();
      }
    };
    child.stderr?.on("data", onData);
    child.once("close", () => reject(new Error(`pr-pod exited before printing ${text}:\n${seen}`)));
  });
}
