// Runs kind or docker as a child process: collects stdout, hands stderr to the caller's logger line
// by line as it arrives (kind writes its progress there), and turns failures into KindClusterErrors.
import { spawn } from "node:child_process";
import { basename } from "node:path";
import { classifyKindFailure, KindClusterError } from "./kind-errors.ts";

/** Where kind's progress lines go. `info` gets each line as kind prints it. */
export interface KindLogger {
  info(message: string): void;
  warn?(message: string): void;
}

export interface RunCommandOptions {
  logger?: KindLogger;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Pass stderr lines to the logger as they arrive. */
  streamStderr?: boolean;
  input?: string;
  /** Used to sharpen error fixes. */
  clusterName?: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs the command; resolves with its output when it exits 0, else rejects with a classified error. */
export async function runCommand(
  executable: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const result = await spawnCommand(executable, args, options);
  if (result.exitCode !== 0) {
    const failure = classifyKindFailure(result.stderr, options.clusterName);
    throw new KindClusterError(failure.code, failure.problem, failure.fix, {
      command: [executable, ...args],
      stderr: result.stderr,
      exitCode: result.exitCode,
    });
  }
  return result;
}

/** Runs the command and resolves with whatever it printed and its exit code, failing only to start it. */
export function spawnCommand(
  executable: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const command = [executable, ...args];
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortedError(command, signal.reason));
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [...args], {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      signal,
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    let pendingLine = "";
    const emitLine = (line: string) => {
      const trimmed = line.replace(/\r$/, "");
      if (options.streamStderr && trimmed.trim() !== "") options.logger?.info(trimmed);
    };
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr += chunk;
      const lines = (pendingLine + chunk).split("\n");
      pendingLine = lines.pop() ?? "";
      for (const line of lines) emitLine(line);
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.name === "AbortError") {
        reject(abortedError(command, signal?.reason));
      } else if (error.code === "ENOENT") {
        reject(notFoundError(executable, error));
      } else {
        reject(
          new KindClusterError(
            "KIND_COMMAND_FAILED",
            `could not start ${command.join(" ")}: ${error.message}`,
            "check the executable's path and permissions",
            {
              command,
              cause: error,
            },
          ),
        );
      }
    });
    child.on("close", (exitCode) => {
      if (pendingLine !== "") emitLine(pendingLine);
      pendingLine = "";
      if (signal?.aborted) return; // the "error" handler already rejected
      resolve({ stdout: Buffer.concat(stdout).toString("utf8"), stderr, exitCode });
    });
  });
}

function abortedError(command: readonly string[], reason: unknown): KindClusterError {
  return new KindClusterError(
    "ABORTED",
    `${command.join(" ")} was cancelled`,
    "run it again when you are ready; `kind delete cluster` removes a half-created cluster",
    { command, cause: reason },
  );
}

function notFoundError(executable: string, cause: unknown): KindClusterError {
  if (basename(executable) === "docker") {
    return new KindClusterError(
      "DOCKER_NOT_FOUND",
      "the docker command was not found on PATH",
      "install Docker (https://docs.docker.com/get-docker/) and make sure `docker` is on PATH",
      { command: [executable], cause },
    );
  }
  return new KindClusterError(
    "KIND_NOT_FOUND",
    `kind was not found (tried ${executable})`,
    "install kind with installKind() / ensureKind(), or put kind on PATH (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)",
    { command: [executable], cause },
  );
}
