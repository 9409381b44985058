import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogLineSplitter, readInstant, readTimestampPrefix } from "./log-bytes.ts";
import { parseTimestampedLine } from "./log-line.ts";

/** Feeds `body` to a splitter cut at `cuts` and returns the lines and the unfinished rest, as text. */
function splitAt(body: Buffer, cuts: number[]): { lines: string[]; rest: string | undefined } {
  const splitter = new LogLineSplitter();
  const lines: string[] = [];
  const visit = (source: Buffer, start: number, end: number) => lines.push(source.toString("utf8", start, end));
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.push(body.subarray(from, Math.max(from, cut)), visit);
    from = Math.max(from, cut);
  }
  splitter.push(body.subarray(from), visit);
  return { lines, rest: splitter.takeUnfinished()?.toString("utf8") };
}

describe("LogLineSplitter", () => {
  it("gives the same lines however the bytes are cut: mid-line, mid-character, between \\r and \\n", () => {
    const line = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("ü ß € 🚀 日本語", "crlf\r", "", "x".repeat(70_000)),
    );
    fc.assert(
      fc.property(
        fc.array(
          line.filter((text) => !text.includes("\n")),
          { maxLength: 8 },
        ),
        fc.option(fc.string({ minLength: 1, maxLength: 5 }).filter((text) => !text.includes("\n"))),
        fc.array(fc.nat(), { maxLength: 6 }),
        (texts, last, cutSeeds) => {
          const body = Buffer.from(texts.map((text) => `${text}\n`).join("") + (last ?? ""));
          const cuts = cutSeeds.map((seed) => (body.length === 0 ? 0 : seed % body.length));
          const { lines, rest } = splitAt(body, cuts);
          expect(lines).toEqual(texts.map((text) => (text.endsWith("\r") ? text.slice(0, -1) : text)));
          expect(rest).toBe(last ?? undefined);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splits a multi-byte character cut in every possible place back into the whole line", () => {
    const body = Buffer.from("ab🚀c\nüx\n");
    for (let cut = 0; cut <= body.length; cut++)
      expect(splitAt(body, [cut])).toEqual({ lines: ["ab🚀c", "üx"], rest: undefined });
  });
});

describe("readTimestampPrefix", () => {
  const read = (text: string) => {
    const source = Buffer.from(`${text}\n`);
    const contentStart = readTimestampPrefix(source, 0, source.length - 1);
    if (contentStart === -1) return undefined;
    return {
      content: source.toString("utf8", contentStart, source.length - 1),
      seconds: readInstant.seconds,
      fraction: readInstant.fraction,
    };
  };

  it("reads the same instant as the string parser for every shape the kubelet and others send", () => {
    const stamps = [
      "2026-11-28T00:01:51.123456789Z",
      "2026-11-28T00:01:51.1Z",
      "2026-11-28T00:01:51Z",
      "2024-02-29T23:59:59.999999999Z",
      "1999-12-31T23:00:00.5+02:00",
      "2026-01-01T00:30:00.000000001-05:30",
      "1970-01-01T00:00:00Z",
      "2100-03-01T12:00:00Z",
    ];
    for (const stamp of stamps) {
      const parsed = parseTimestampedLine(`${stamp} héllo`);
      const nanos = parsed.nanos as bigint;
      expect(read(`${stamp} héllo`)).toEqual({
        content: "héllo",
        seconds: Number(nanos / 1_000_000_000n),
        fraction: Number(nanos % 1_000_000_000n),
      });
    }
  });

  it("agrees with Date.parse on random instants", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01Z"), max: new Date("2200-01-01Z"), noInvalidDate: true }),
        (date) => {
          const stamp = date.toISOString(); // 2026-01-01T00:00:00.123Z
          const result = read(`${stamp} x`);
          expect(result?.seconds).toBe(Math.floor(date.getTime() / 1000));
          expect(result?.fraction).toBe((date.getTime() % 1000) * 1_000_000);
        },
      ),
    );
  });

  it("finds no timestamp where there is none or it is malformed", () => {
    for (const text of [
      "plain line",
      "",
      "2026-11-28T00:01:51.123Z",
      "2026-11-28T00:01:51.Z x",
      "2026-11-28T00:01:51.1234567890Z x",
      "2026-13-28T00:01:51Z x",
      "2026-11-28T24:01:51Z x",
      "2026-11-28 00:01:51Z x",
      "2026-11-28T00:01:51+0200 x",
    ])
      expect(read(text)).toBeUndefined();
  });
});
