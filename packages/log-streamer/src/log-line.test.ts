import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogLineSplitter, readInstant, readTimestampPrefix } from "./log-bytes.ts";
import { LogLineDeduper, parseTimestampedLine, sinceTimeFor } from "./log-line.ts";

describe("parseTimestampedLine", () => {
  it("splits the kubelet's RFC3339Nano prefix from the content", () => {
    const parsed = parseTimestampedLine("2026-11-28T00:01:51.123456789Z hello world");
    expect(parsed.content).toBe("hello world");
    expect(parsed.timestamp).toBe("2026-11-28T00:01:51.123456789Z");
    expect(parsed.nanos).toBe(BigInt(Date.parse("2026-11-28T00:01:51Z")) * 1_000_000n + 123_456_789n);
  });

  it("orders timestamps whose trailing zeros were trimmed correctly", () => {
    const short = parseTimestampedLine("2026-11-28T00:01:51.1Z a").nanos!;
    const long = parseTimestampedLine("2026-11-28T00:01:51.123Z b").nanos!;
    expect(short < long).toBe(true);
  });

  it("keeps a line without a timestamp whole", () => {
    expect(parseTimestampedLine("no stamp here")).toEqual({ content: "no stamp here" });
  });
});

describe("sinceTimeFor", () => {
  it("floors to the whole second", () => {
    expect(sinceTimeFor(parseTimestampedLine("2026-11-28T00:01:51.5Z x").nanos!)).toBe("2026-11-28T00:01:51Z");
  });
  it("steps back a second when the line sat exactly on a second", () => {
    expect(sinceTimeFor(parseTimestampedLine("2026-11-28T00:01:51Z x").nanos!)).toBe("2026-11-28T00:01:50Z");
  });
});

/** A server-side log: what a stream resumed at `sinceTime` (whole seconds) returns. */
function replayFrom(log: string[], sinceTime: string | undefined): string[] {
  if (!sinceTime) return log;
  const since = BigInt(Date.parse(sinceTime)) * 1_000_000n;
  return log.filter((raw) => parseTimestampedLine(raw).nanos! >= since);
}

describe("LogLineDeduper", () => {
  it("gives every line exactly once when streams are cut anywhere, with many equal timestamps", () => {
    const line = fc.record({
      second: fc.integer({ min: 0, max: 3 }),
      milli: fc.integer({ min: 0, max: 2 }),
      text: fc.constantFrom("a", "b", ""),
    });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
        (specs, cuts) => {
          // Build a log in time order (equal timestamps and equal contents allowed).
          const sorted = specs.map((s) => ({ ...s, key: s.second * 1000 + s.milli })).sort((x, y) => x.key - y.key);
          const log = sorted.map((s) => `2026-11-28T00:00:0${s.second}.${String(s.milli).padStart(3, "0")}Z ${s.text}`);
          const deduper = new LogLineDeduper();
          const given: string[] = [];
          let position = 0; // how far the "server" got before each cut
          for (const cut of [...cuts, Number.MAX_SAFE_INTEGER]) {
            deduper.startStream();
            const stream = replayFrom(log.slice(0, Math.max(position, Math.min(cut, log.length))), deduper.sinceTime);
            for (const raw of stream) {
              const parsed = parseTimestampedLine(raw);
              if (deduper.accept(parsed)) given.push(raw);
            }
            position = Math.max(position, Math.min(cut, log.length));
          }
          expect(given).toEqual(log);
        },
      ),
    );
  });

  it("gives every line exactly once when the lines come as bytes, in chunks cut anywhere, across streams", () => {
    const line = fc.record({
      second: fc.integer({ min: 0, max: 3 }),
      milli: fc.integer({ min: 0, max: 2 }),
      text: fc.constantFrom("a", "b", "", "ü🚀"),
    });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (specs, cuts, chunkCuts) => {
          const sorted = specs.map((s) => ({ ...s, key: s.second * 1000 + s.milli })).sort((x, y) => x.key - y.key);
          const log = sorted.map((s) => `2026-11-28T00:00:0${s.second}.${String(s.milli).padStart(3, "0")}Z ${s.text}`);
          const deduper = new LogLineDeduper();
          const given: string[] = [];
          let position = 0;
          for (const cut of [...cuts, Number.MAX_SAFE_INTEGER]) {
            deduper.startStream();
            const stream = replayFrom(log.slice(0, Math.max(position, Math.min(cut, log.length))), deduper.sinceTime);
            // The stream's bytes, received in chunks cut at arbitrary bytes (inside characters too).
            const body = Buffer.from(stream.map((raw) => `${raw}\n`).join(""));
            const bounds = [...new Set(chunkCuts.map((c) => (body.length === 0 ? 0 : c % body.length)))].sort(
              (a, b) => a - b,
            );
            const splitter = new LogLineSplitter();
            let from = 0;
            for (const to of [...bounds, body.length]) {
              splitter.push(body.subarray(from, to), (source, start, end) => {
                const contentStart = readTimestampPrefix(source, start, end);
                const accepted = deduper.acceptBytes(
                  readInstant.seconds,
                  readInstant.fraction,
                  source,
                  contentStart,
                  end,
                );
                if (accepted) given.push(source.toString("utf8", start, end));
              });
              deduper.endChunk();
              from = to;
            }
            position = Math.max(position, Math.min(cut, log.length));
          }
          expect(given).toEqual(log);
        },
      ),
    );
  });

  it("treats a line that differs from the remembered one at the same timestamp as new", () => {
    const deduper = new LogLineDeduper();
    deduper.startStream();
    expect(deduper.accept(parseTimestampedLine("2026-11-28T00:00:01.5Z first"))).toBe(true);
    deduper.startStream();
    expect(deduper.accept(parseTimestampedLine("2026-11-28T00:00:01.2Z older"))).toBe(false);
    expect(deduper.accept(parseTimestampedLine("2026-11-28T00:00:01.5Z first"))).toBe(false);
    expect(deduper.accept(parseTimestampedLine("2026-11-28T00:00:01.5Z second"))).toBe(true);
  });
});

describe("LogLineDeduper past its memory budget", () => {
  it("still drops a replay line by line when the lines sharing a timestamp exceed 1 MiB (kept as digests)", () => {
    const stamp = "2026-11-28T00:00:01.5Z";
    const log = Array.from({ length: 300 }, (_, i) => `${stamp} ${String(i).padStart(4, "0")}${"x".repeat(4096)}`);
    const deduper = new LogLineDeduper();
    deduper.startStream();
    for (const raw of log.slice(0, 290)) expect(deduper.accept(parseTimestampedLine(raw))).toBe(true);
    deduper.startStream();
    const given = log.filter((raw) => deduper.accept(parseTimestampedLine(raw)));
    expect(given).toEqual(log.slice(290));
  });

  it("takes lines built by hand with a BigInt `nanos` as well as parsed ones", () => {
    const deduper = new LogLineDeduper();
    deduper.startStream();
    const nanos = BigInt(Date.parse("2026-11-28T00:00:01Z")) * 1_000_000n + 500_000_000n;
    expect(deduper.accept({ content: "first", nanos })).toBe(true);
    expect(deduper.sinceTime).toBe("2026-11-28T00:00:01Z");
    expect(deduper.isLastGiven(parseTimestampedLine("2026-11-28T00:00:01.5Z first"))).toBe(true);
    deduper.startStream();
    expect(deduper.accept(parseTimestampedLine("2026-11-28T00:00:01.500Z first"))).toBe(false);
    expect(deduper.accept({ content: "second", nanos })).toBe(true);
  });
});
