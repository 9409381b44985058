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

/**
 * A timestamped line as {@link parseTimestampedLine} gives it. Its instant is kept as two plain
 * numbers (epoch seconds, nanoseconds within the second) so that ordering costs no BigInt; `nanos`
 * is built only when asked for.
 */
class TimestampedLine implements ParsedLogLine {
  readonly content: string;
  readonly timestamp: string;
  readonly seconds: number;
  readonly fraction: number;
  constructor(content: string, timestamp: string, seconds: number, fraction: number) {
    this.content = content;
    this.timestamp = timestamp;
    this.seconds = seconds;
    this.fraction = fraction;
  }
  get nanos(): bigint {
    return BigInt(this.seconds) * 1_000_000_000n + BigInt(this.fraction);
  }
}

// Consecutive lines nearly always fall in the same second: its Date.parse is done once.
let cachedSecondText = "";
let cachedSeconds = Number.NaN;

/** Splits `2026-01-01T00:00:00.123456789Z text` into its timestamp and content. */
export function parseTimestampedLine(raw: string): ParsedLogLine {
  const match = TIMESTAMP.exec(raw);
  if (!match) return { content: raw };
  const [prefix, whole, fraction, zone] = match as unknown as [string, string, string | undefined, string];
  const secondText = whole + zone;
  if (secondText !== cachedSecondText) {
    cachedSeconds = Date.parse(secondText) / 1000;
    cachedSecondText = secondText;
  }
  if (Number.isNaN(cachedSeconds)) return { content: raw };
  const nanosInSecond = fraction === undefined ? 0 : Number(fraction) * 10 ** (9 - fraction.length);
  return new TimestampedLine(raw.slice(prefix.length), prefix.slice(0, -1), cachedSeconds, nanosInSecond);
}

/** The instant of a line as (epoch seconds, nanoseconds in that second), or undefined without one. */
function instantOf(line: ParsedLogLine): { seconds: number; fraction: number } | undefined {
  if (line instanceof TimestampedLine) return line;
  if (line.nanos === undefined) return undefined;
  const seconds = line.nanos / 1_000_000_000n;
  return { seconds: Number(seconds), fraction: Number(line.nanos - seconds * 1_000_000_000n) };
}

/**
 * The `sinceTime` for a reconnect after the last line given had `nanos`: that whole second, or the
 * second before when the line sat exactly on a second boundary (in case the server treats
 * sinceTime as exclusive). Lines already given are then dropped by {@link LogLineDeduper}.
 */
export function sinceTimeFor(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  if (nanos % 1_000_000_000n === 0n) seconds -= 1n;
  return secondsText(Number(seconds));
}

function secondsText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Lines sharing the last timestamp are remembered, up to this many; beyond it only counted. */
const MAX_REMEMBERED_SAME_TIMESTAMP = 4096;
/**
 * Lines sharing the last timestamp are kept as they are up to this many characters in all; past it
 * as SHA-1 digests, so memory stays bounded when a long run of long lines shares one timestamp.
 */
const MAX_REMEMBERED_SAME_TIMESTAMP_CHARS = 1 << 20;

function digest(content: string): string {
  return content.length <= 64 ? content : createHash("sha1").update(content).digest("base64");
}

/** Where a line's content comes from: a string, or a range of a received chunk (see log-bytes.ts). */
type ContentSource = string | Buffer;

/**
 * Decides, line by line, whether a line is new. Memory stays constant: only the last timestamp and
 * the lines that share it are kept. Outside a replay (the start of a resumed stream) a line costs a
 * number compare and an array write: nothing is hashed, and a line given as bytes
 * ({@link acceptBytes}) is not even decoded: the lines still to remember are kept as ranges of the
 * chunk and turned into strings once per chunk ({@link endChunk}).
 */
export class LogLineDeduper {
  #hasLast = false;
  #lastSeconds = 0;
  #lastFraction = 0;
  /** The lines of the last timestamp, as given; from index #hashedFrom on as digests. */
  #sameTimestamp: string[] = [];
  #sameTimestampChars = 0;
  #hashedFrom = Number.POSITIVE_INFINITY;
  #sameTimestampCount = 0;
  /** Lines of the last timestamp given as byte ranges since the last endChunk, not yet in #sameTimestamp. */
  #pendingSources: ContentSource[] = [];
  #pendingStarts: number[] = [];
  #pendingEnds: number[] = [];
  /** How many of the #pending* slots are in use (the arrays are reused, not truncated, per line). */
  #pendingCount = 0;
  /** While replaying: index into the lines of the last timestamp that the new stream should repeat. */
  #replayIndex = 0;
  #replaying = false;

  #lastAcceptedSeconds = 0;
  #lastAcceptedFraction = 0;
  #lastAcceptedSource: ContentSource | undefined;
  #lastAcceptedStart = 0;
  #lastAcceptedEnd = 0;
  #acceptedAny = false;

  /** True when `line` is the last line given (same timestamp and content): the log's tail matches. */
  isLastGiven(line: ParsedLogLine): boolean {
    this.endChunk();
    const instant = instantOf(line);
    if (instant === undefined || this.#lastAcceptedSource === undefined) return false;
    return (
      instant.seconds === this.#lastAcceptedSeconds &&
      instant.fraction === this.#lastAcceptedFraction &&
      line.content === this.#lastAcceptedSource
    );
  }

  /** True once any line was given. */
  get gaveAny(): boolean {
    return this.#acceptedAny;
  }

  /** Where a reconnect should start, or undefined before any timestamped line. */
  get sinceTime(): string | undefined {
    if (!this.#hasLast) return undefined;
    return secondsText(this.#lastFraction === 0 ? this.#lastSeconds - 1 : this.#lastSeconds);
  }

  /** Call when a new stream starts (with the sinceTime from {@link sinceTime}). */
  startStream(): void {
    this.endChunk();
    this.#replaying = this.#hasLast;
    this.#replayIndex = 0;
  }

  /** True when the line was not given before; records it as given. */
  accept(line: ParsedLogLine): boolean {
    const instant = instantOf(line);
    if (instant === undefined) return this.acceptUntimed();
    return this.#accept(instant.seconds, instant.fraction, line.content, 0, line.content.length);
  }

  /** {@link accept} for a line without a timestamp. */
  acceptUntimed(): boolean {
    if (!this.#replaying) this.#acceptedAny = true;
    return !this.#replaying;
  }

  /**
   * {@link accept} for a line whose content is `source[start, end)` (UTF-8) and whose instant is
   * (`seconds`, `fraction`). The range is read again only until {@link endChunk}: call it before the
   * chunk's bytes may change (they never do for a received chunk) and before a new stream starts.
   */
  acceptBytes(seconds: number, fraction: number, source: Buffer, start: number, end: number): boolean {
    return this.#accept(seconds, fraction, source, start, end);
  }

  /** Turns the byte ranges still remembered into strings, so no chunk is held past this call. */
  endChunk(): void {
    const count = this.#pendingCount;
    if (count > 0) {
      for (let i = 0; i < count; i++)
        this.#remember(
          contentOf(
            this.#pendingSources[i] as ContentSource,
            this.#pendingStarts[i] as number,
            this.#pendingEnds[i] as number,
          ),
        );
      this.#pendingCount = 0;
      // Let go of the chunks the ranges pointed into.
      this.#pendingSources.fill("");
    }
    const last = this.#lastAcceptedSource;
    if (last !== undefined && typeof last !== "string") {
      this.#lastAcceptedSource = contentOf(last, this.#lastAcceptedStart, this.#lastAcceptedEnd);
    }
  }

  #accept(seconds: number, fraction: number, source: ContentSource, start: number, end: number): boolean {
    // Sign of (this line's instant - the last timestamp's); 1 before any timestamp.
    const order = !this.#hasLast
      ? 1
      : seconds !== this.#lastSeconds
        ? seconds - this.#lastSeconds
        : fraction - this.#lastFraction;
    if (this.#replaying) {
      this.endChunk();
      if (order < 0) return false;
      if (order === 0 && this.#replayIndex < this.#sameTimestampCount) {
        if (this.#isRemembered(this.#replayIndex, contentOf(source, start, end))) {
          this.#replayIndex++;
          return false;
        }
      }
      this.#replaying = false;
    }
    if (order > 0) {
      this.#hasLast = true;
      this.#lastSeconds = seconds;
      this.#lastFraction = fraction;
      if (this.#sameTimestamp.length > 0) this.#sameTimestamp.length = 0;
      this.#sameTimestampChars = 0;
      this.#hashedFrom = Number.POSITIVE_INFINITY;
      this.#sameTimestampCount = 0;
      this.#pendingCount = 0;
    }
    // An older timestamp inside a live stream (stdout and stderr interleaved) is new all the same.
    if (order >= 0) {
      if (typeof source === "string") this.#remember(source);
      else {
        const slot = this.#pendingCount++;
        this.#pendingSources[slot] = source;
        this.#pendingStarts[slot] = start;
        this.#pendingEnds[slot] = end;
      }
    }
    this.#lastAcceptedSeconds = seconds;
    this.#lastAcceptedFraction = fraction;
    this.#lastAcceptedSource = source;
    this.#lastAcceptedStart = start;
    this.#lastAcceptedEnd = end;
    this.#acceptedAny = true;
    return true;
  }

  #remember(content: string): void {
    this.#sameTimestampCount++;
    const remembered = this.#sameTimestamp;
    if (remembered.length >= MAX_REMEMBERED_SAME_TIMESTAMP) return;
    if (remembered.length < this.#hashedFrom) {
      this.#sameTimestampChars += content.length;
      if (this.#sameTimestampChars <= MAX_REMEMBERED_SAME_TIMESTAMP_CHARS) {
        remembered.push(content);
        return;
      }
      this.#hashedFrom = remembered.length;
    }
    remembered.push(digest(content));
  }

  #isRemembered(index: number, content: string): boolean {
    const remembered = this.#sameTimestamp[index];
    if (remembered === undefined) return true; // only counted
    return remembered === (index < this.#hashedFrom ? content : digest(content));
  }
}

function contentOf(source: ContentSource, start: number, end: number): string {
  return typeof source === "string" ? source : source.toString("utf8", start, end);
}
