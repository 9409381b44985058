// Pure byte-level handling of a `timestamps=true` log stream: splitting chunks into lines and reading
// the kubelet's RFC3339Nano prefix straight from the bytes. A log stream is mostly 100-byte lines, so
// the steady state must not make a string, a regex match or an object per line: lines are (buffer,
// start, end) ranges, and the instant is read into two numbers.
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#get-read-log-of-the-specified-pod

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Reads a line's range; `end` excludes the newline and a `\r` before it. */
export type LineVisitor = (source: Buffer, start: number, end: number) => void;

/**
 * Splits byte chunks into lines. A line split across chunks (at any byte, inside a multi-byte UTF-8
 * character too: a newline byte never occurs inside one) is joined once its newline arrives; the
 * pieces of a very long line are kept as they came and copied together once.
 */
export class LogLineSplitter {
  #pieces: Buffer[] = [];

  /** Calls `visit` for every line the chunk completes, in order. */
  push(chunk: Buffer, visit: LineVisitor): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (newline === -1) {
      if (chunk.length > 0) this.#pieces.push(chunk);
      return;
    }
    if (this.#pieces.length > 0) {
      this.#pieces.push(chunk.subarray(0, newline));
      const joined = Buffer.concat(this.#pieces);
      this.#pieces = [];
      visit(joined, 0, lineEnd(joined, 0, joined.length));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      visit(chunk, start, lineEnd(chunk, start, newline));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#pieces.push(chunk.subarray(start));
  }

  /** The bytes after the last newline (a last line the stream ended without a newline after), if any. */
  takeUnfinished(): Buffer | undefined {
    if (this.#pieces.length === 0) return undefined;
    const rest = Buffer.concat(this.#pieces);
    this.#pieces = [];
    return rest;
  }
}

function lineEnd(source: Buffer, start: number, newline: number): number {
  return newline > start && source[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
}

/** The instant {@link readTimestampPrefix} read last: epoch seconds and nanoseconds within the second. */
export const readInstant = { seconds: 0, fraction: 0 };

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Days from 1970-01-01 to the given UTC date (proleptic Gregorian). */
function daysFromEpoch(year: number, month: number, day: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const y = year - 1;
  const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) - 719_162;
  return daysBeforeYear + (DAYS_BEFORE_MONTH[month - 1] as number) + (leap && month > 2 ? 1 : 0) + day - 1;
}

function digits(source: Buffer, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = (source[i] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Reads `2026-01-01T00:00:00.123456789Z ` (fraction of 0–9 digits, zone `Z` or `±hh:mm`) at `start`.
 * Returns where the content starts (after the space) and leaves the instant in {@link readInstant},
 * or returns -1 when the line has no such prefix. Allocates nothing.
 */
export function readTimestampPrefix(source: Buffer, start: number, end: number): number {
  if (end - start < 21) return -1;
  if (
    source[start + 4] !== 0x2d || // -
    source[start + 7] !== 0x2d ||
    source[start + 10] !== 0x54 || // T
    source[start + 13] !== 0x3a || // :
    source[start + 16] !== 0x3a
  )
    return -1;
  const year = digits(source, start, 4);
  const month = digits(source, start + 5, 2);
  const day = digits(source, start + 8, 2);
  const hour = digits(source, start + 11, 2);
  const minute = digits(source, start + 14, 2);
  const second = digits(source, start + 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) return -1;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  let at = start + 19;
  let fraction = 0;
  if (source[at] === 0x2e) {
    // .
    let count = 0;
    at++;
    while (at < end && count < 10) {
      const digit = (source[at] as number) - 48;
      if (digit < 0 || digit > 9) break;
      fraction = fraction * 10 + digit;
      count++;
      at++;
    }
    if (count === 0 || count > 9) return -1;
    for (let i = count; i < 9; i++) fraction *= 10;
  }
  let offsetSeconds = 0;
  const zone = source[at];
  if (zone === 0x5a)
    at++; // Z
  else if (zone === 0x2b || zone === 0x2d) {
    // + or -
    if (at + 6 > end || source[at + 3] !== 0x3a) return -1;
    const hours = digits(source, at + 1, 2);
    const minutes = digits(source, at + 4, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return -1;
    offsetSeconds = (zone === 0x2b ? 1 : -1) * (hours * 3600 + minutes * 60);
    at += 6;
  } else return -1;
  if (at >= end || source[at] !== 0x20) return -1; // the space before the content
  readInstant.seconds = daysFromEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  readInstant.fraction = fraction;
  return at + 1;
}
