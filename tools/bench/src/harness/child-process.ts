// Starts a program and times what it prints: every stdout line arrives with the moment it was read,
// and lines starting with "@@bench " are markers ("@@bench finished") the bench times phases by.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface TimedLine {
  text: string;
  /** performance.now() when the bench read the line. */
  at: number;
}

export interface ProcessRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  startedAt: number;
  endedAt: number;
  /** First time each marker was seen (performance.now()). */
  markers: Map<string, number>;
  /** Marker lines' text after the marker name, e.g. JSON the child reported. */
  markerData: Map<string, string>;
  /** Stopped because its timeoutMs ran out. */
  timedOut: boolean;
  /** Last 4 KB of stderr, for error messages. */
  stderrTail: string;
}

export interface StartProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  /** Every non-marker stdout line, as it arrives. Without it, such lines are dropped. */
  onLine?: (line: TimedLine) => void;
  onMarker?: (name: string, at: number, data: string) => void;
  /** Send stdout to /dev/null (no lines, no markers). */
  discardStdout?: boolean;
  /** Kill the program and everything it started (its process group) after this long. */
  timeoutMs?: number;
  /** Called with the pid right after spawn. */
  onSpawn?: (pid: number) => void;
}

const MARKER = "@@bench ";

/** Process groups started with a timeout that are still running: stopped if the bench exits first. */
const groups = new Set<number>();
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
process.on("exit", () => {
  for (const pid of groups) killGroup(pid);
});

export function runProcess(
  command: string,
  args: readonly string[],
  options: StartProcessOptions = {},
): Promise<ProcessRun> {
  const startedAt = performance.now();
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    // Its own process group, so a timeout also stops the kubectl processes a script started.
    detached: options.timeoutMs !== undefined,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", options.discardStdout ? "ignore" : "pipe", "pipe"],
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined || child.pid === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup(child.pid as number);
        }, options.timeoutMs);
  if (options.timeoutMs !== undefined && child.pid !== undefined) groups.add(child.pid);
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  const markers = new Map<string, number>();
  const markerData = new Map<string, string>();
  let stderrTail = "";
  let pending = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    const at = performance.now();
    const parts = (pending + chunk).split("\n");
    pending = parts.pop() ?? "";
    for (const text of parts) {
      if (text.startsWith(MARKER)) {
        const rest = text.slice(MARKER.length);
        const space = rest.indexOf(" ");
        const name = space < 0 ? rest : rest.slice(0, space);
        const data = space < 0 ? "" : rest.slice(space + 1);
        if (!markers.has(name)) {
          markers.set(name, at);
          markerData.set(name, data);
        }
        options.onMarker?.(name, at, data);
      } else options.onLine?.({ text, at });
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4096);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid !== undefined) groups.delete(child.pid);
      if (timedOut) stderrTail += `\n(stopped after ${Math.round((options.timeoutMs ?? 0) / 1000)} s, the time budget)`;
      if (pending) options.onLine?.({ text: pending, at: performance.now() });
      resolve({ exitCode, signal, startedAt, endedAt: performance.now(), markers, markerData, stderrTail, timedOut });
    });
  });
}

/** A one-line reason from a failed run, for "n/a (why)" cells. */
export function failureText(run: ProcessRun, what: string): string {
  const last = run.stderrTail.trim().split("\n").slice(-2).join(" / ").slice(0, 300);
  return `${what} exited ${run.exitCode ?? run.signal}${last ? `: ${last}` : ""}`;
}
