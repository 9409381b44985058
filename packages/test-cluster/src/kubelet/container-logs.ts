// What the kubelet keeps of each container's output: lines with nanosecond timestamps, per run of
// the container (restarts keep the previous run for `previous=true`), and who is following them.
import { EventEmitter } from "node:events";

export interface LogLine {
  /** Nanoseconds since the epoch, strictly increasing per container. */
  timeNs: bigint;
  text: string;
  stream: "stdout" | "stderr";
}

export interface ContainerLog {
  lines: LogLine[];
  finished: boolean;
}

let lastNs = 0n;

/** A wall-clock time in nanoseconds that never repeats or goes backwards within this process. */
export function nowNs(date?: Date): bigint {
  const ns = date
    ? BigInt(date.getTime()) * 1_000_000n
    : BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
  if (date) return ns;
  lastNs = ns > lastNs ? ns : lastNs + 1n;
  return lastNs;
}

// Lines come many to a second: the date part of the last second is kept, so a line's timestamp is
// one BigInt split and a padded number, not a Date and an ISO string each.
let formattedSecond = -1n;
let formattedSecondText = "";

/** RFC 3339 with a fixed 9-digit fraction, as the kubelet writes `timestamps=true`. */
export function formatNs(ns: bigint): string {
  const second = ns / 1_000_000_000n;
  if (second !== formattedSecond) {
    formattedSecond = second;
    formattedSecondText = new Date(Number(second) * 1000).toISOString().slice(0, 19);
  }
  const fraction = Number(ns - second * 1_000_000_000n);
  return `${formattedSecondText}.${String(fraction).padStart(9, "0")}Z`;
}

export function parseTimeNs(text: string): bigint | undefined {
  const m = text.match(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export class ContainerLogs {
  private readonly runs = new Map<string, ContainerLog[]>();
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  private key(podUid: string, container: string): string {
    return `${podUid}/${container}`;
  }

  /** A new run of the container begins (start or restart); earlier runs stay readable as `previous`. */
  startRun(podUid: string, container: string): void {
    const key = this.key(podUid, container);
    const runs = this.runs.get(key) ?? [];
    const last = runs[runs.length - 1];
    if (last) last.finished = true;
    runs.push({ lines: [], finished: false });
    this.runs.set(key, runs);
    this.emitter.emit(key);
  }

  append(podUid: string, container: string, text: string, stream: "stdout" | "stderr", time?: Date): void {
    const key = this.key(podUid, container);
    let runs = this.runs.get(key);
    if (!runs || runs.length === 0) {
      this.startRun(podUid, container);
      runs = this.runs.get(key) as ContainerLog[];
    }
    const run = runs[runs.length - 1] as ContainerLog;
    const last = run.lines[run.lines.length - 1];
    let timeNs = nowNs(time);
    if (last && timeNs <= last.timeNs) timeNs = last.timeNs + 1n;
    run.lines.push({ timeNs, text, stream });
    this.emitter.emit(key);
  }

  finishRun(podUid: string, container: string): void {
    const runs = this.runs.get(this.key(podUid, container));
    const last = runs?.[runs.length - 1];
    if (last) last.finished = true;
    this.emitter.emit(this.key(podUid, container));
  }

  /** The current run (0) or the one before it (1). */
  run(podUid: string, container: string, back = 0): ContainerLog | undefined {
    const runs = this.runs.get(this.key(podUid, container)) ?? [];
    return runs[runs.length - 1 - back];
  }

  /** Calls `listener` whenever the container's log changes; returns the unsubscribe function. */
  onChange(podUid: string, container: string, listener: () => void): () => void {
    const key = this.key(podUid, container);
    this.emitter.on(key, listener);
    return () => this.emitter.off(key, listener);
  }

  /** The pod is gone: wake followers so their streams end. */
  forgetPod(podUid: string): void {
    for (const [key, runs] of this.runs) {
      if (!key.startsWith(`${podUid}/`)) continue;
      for (const run of runs) run.finished = true;
      this.emitter.emit(key);
      this.runs.delete(key);
    }
  }
}
