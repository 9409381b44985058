// A daemon started for one test run: spawned detached with its pid written to a file, ready when a line of its
// log says so (no polling, no sleeps), stopped by that pid with SIGTERM and awaited.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";

export interface DaemonProcess {
  readonly pid: number;
  /** Everything the daemon printed so far. */
  log(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 20 s); resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function startDaemon(options: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The daemon writes it itself (dockerd) or we write it here. */
  pidFile: string;
  writePidFile: boolean;
  ready: RegExp;
  /** How long to wait for `ready` before failing (a loaded machine is slow; default 60 s). */
  timeoutMs?: number;
}): Promise<DaemonProcess> {
  const child: ChildProcess = spawn(options.command, options.args, {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("close", () => {
      exited = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${options.name} did not start within ${options.timeoutMs ?? 60_000} ms; its log:\n${output.slice(-4000)}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (options.ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${options.name} (${options.command}): ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code} before it was ready; its log:\n${output.slice(-4000)}`));
    });
  });
  const pid = child.pid as number;
  if (options.writePidFile) await writeFile(options.pidFile, `${pid}\n`);
  return {
    pid,
    log: () => output,
    async stop(graceMs = 20_000) {
      if (exited) return;
      process.kill(pid, "SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) process.kill(pid, "SIGKILL");
      }, graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
