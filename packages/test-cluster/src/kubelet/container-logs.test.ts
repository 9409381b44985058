import { describe, expect, it } from "vitest";
import { formatNs, parseTimeNs } from "./container-logs.ts";

describe("formatNs", () => {
  it("writes RFC 3339 with nine fraction digits, across second boundaries, and parses back", () => {
    const base = BigInt(Date.parse("2026-12-03T14:59:59Z")) * 1_000_000n;
    const cases: Array<[bigint, string]> = [
      [base, "2026-12-03T14:59:59.000000000Z"],
      [base + 1n, "2026-12-03T14:59:59.000000001Z"],
      [base + 999_999_999n, "2026-12-03T14:59:59.999999999Z"],
      [base + 1_000_000_000n, "2026-12-03T15:00:00.000000000Z"],
      [base + 1_000_123_456n, "2026-12-03T15:00:00.000123456Z"],
      // back to an earlier second: the cached date part must not be reused
      [base + 5n, "2026-12-03T14:59:59.000000005Z"],
    ];
    for (const [ns, text] of cases) {
      expect(formatNs(ns)).toBe(text);
      expect(parseTimeNs(text)).toBe(ns);
    }
  });
});
