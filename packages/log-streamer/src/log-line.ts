// Pure handling of timestamped log lines: parsing the `timestamps=true` prefix, choosing the
// `sinceTime` of a reconnect, and dropping the lines a reconnected stream repeats.
// The kubelet prefixes each line with an RFC3339Nano timestamp and a space, and a reconnect can only
// ask for "lines since second S" (the API server passes sinceTime on with whole seconds), so a
// resumed stream always repeats some lines: those are recognised by timestamp, then by content in
// order among lines that share the last timestamp.
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#get-read-log-of-the-specified-pod
import { createHash } from "node:crypto";

export interface LogLine {
  /** The line without its timestamp prefix and without the trailing newline (redacted when a redactor is given). */
  line: string;
  /** The kubelet's RFC3339Nano timestamp, as sent; absent when the line had none. */
  timestamp?: string;
}

export interface ParsedLogLine {
  content: string;
  timestamp?: string;
  /** Nanoseconds since the epoch, for ordering (string compare fails: RFC3339Nano trims trailing zeros). */
  nanos?: bigint;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) /;

/** Splits `2026-01-01T00:00:00.123456789Z text` into its timestamp and content. */
export function parseTimestampedLine(raw: string): ParsedLogLine {
  const match = TIMESTAMP.exec(raw);
  if (!match) return { content: raw };
  const [prefix, whole, fraction = "", zone] = match as unknown as [string, string, string | undefined, string];
  const millis = Date.parse(`${whole}${zone}`);
  if (Number.isNaN(millis)) return { content: raw };
  const nanos = BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, "0"));
  return { content: raw.slice(prefix.length), timestamp: prefix.slice(0, -1), nanos };
}

/**
 * The `sinceTime` for a reconnect after the last line given had `nanos`: that whole second, or the
 * second before when the line sat exactly on a second boundary (in case the server treats
 * sinceTime as exclusive). Lines already given are then dropped by {@link LogLineDeduper}.
 */
export function sinceTimeFor(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  if (nanos % 1_000_000_000n === 0n) seconds -= 1n;
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Lines sharing the last timestamp are remembered by digest, up to this many; beyond it only counted. */
const MAX_REMEMBERED_SAME_TIMESTAMP = 4096;

function digest(content: string): string {
  return content.length <= 64 ? content : createHash("sha1").update(content).digest("base64");
}

/**
 * Decides, line by line, whether a line is new. Memory stays constant: only the last timestamp and
 * the lines that share it are kept.
 */
export class LogLineDeduper {
  #lastNanos: bigint | undefined;
  #sameTimestamp: string[] = [];
  #sameTimestampCount = 0;
  /** While replaying: index into the lines of the last timestamp that the new stream should repeat. */
  #replayIndex = 0;
  #replaying = false;

  #lastAccepted: { nanos: bigint; digest: string } | undefined;
  #acceptedAny = false;

  /** True when `line` is the last line given (same timestamp and content): the log's tail matches. */
  isLastGiven(line: ParsedLogLine): boolean {
    if (line.nanos === undefined || !this.#lastAccepted) return false;
    return line.nanos === this.#lastAccepted.nanos && digest(line.content) === this.#lastAccepted.digest;
  }

  /** True once any line was given. */
  get gaveAny(): boolean {
    return this.#acceptedAny;
  }

  /** Where a reconnect should start, or undefined before any timestamped line. */
  get sinceTime(): string | undefined {
    return this.#lastNanos === undefined ? undefined : sinceTimeFor(this.#lastNanos);
  }

  /** Call when a new stream starts (with the sinceTime from {@link sinceTime}). */
  startStream(): void {
    this.#replaying = this.#lastNanos !== undefined;
    this.#replayIndex = 0;
  }

  /** True when the line was not given before; records it as given. */
  accept(line: ParsedLogLine): boolean {
    if (line.nanos === undefined) {
      if (!this.#replaying) this.#acceptedAny = true;
      return !this.#replaying;
    }
    const last = this.#lastNanos;
    if (this.#replaying && last !== undefined) {
      if (line.nanos < last) return false;
      if (line.nanos === last && this.#replayIndex < this.#sameTimestampCount) {
        const remembered = this.#sameTimestamp[this.#replayIndex];
        if (remembered === undefined || remembered === digest(line.content)) {
          this.#replayIndex++;
          return false;
        }
      }
      this.#replaying = false;
    }
    if (last === undefined || line.nanos > last) {
      this.#lastNanos = line.nanos;
      this.#sameTimestamp = [digest(line.content)];
      this.#sameTimestampCount = 1;
    } else if (line.nanos === last) {
      if (this.#sameTimestamp.length < MAX_REMEMBERED_SAME_TIMESTAMP) this.#sameTimestamp.push(digest(line.content));
      this.#sameTimestampCount++;
    }
    // An older timestamp inside a live stream (stdout and stderr interleaved) is new all the same.
    this.#lastAccepted = { nanos: line.nanos, digest: digest(line.content) };
    this.#acceptedAny = true;
    return true;
  }
}
