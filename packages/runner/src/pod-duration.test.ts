import { describe, expect, it } from "vitest";
import { podDurationMs } from "./pod-duration.ts";

describe("podDurationMs", () => {
  it("takes the script's own monotonic measure over the container's timestamps", () => {
    const timestamps = { startedAt: "2026-12-03T12:00:00.000Z", finishedAt: "2026-12-03T12:00:00.000Z" };
    expect(podDurationMs(timestamps, { durationsMs: { clone: 300, total: 734 } })).toBe(734);
  });

  it("gives no duration from one-second timestamps of a short run (0.7 s shows as 0 s)", () => {
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:00Z", finishedAt: "2026-12-03T12:00:00Z" })).toBeUndefined();
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:00Z", finishedAt: "2026-12-03T12:00:02Z" })).toBeUndefined();
  });

  it("uses one-second timestamps once a second either way is small, and finer ones always", () => {
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:00Z", finishedAt: "2026-12-03T12:00:42Z" })).toBe(42_000);
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:00.250Z", finishedAt: "2026-12-03T12:00:00.950Z" })).toBe(700);
  });

  it("gives none without both timestamps, or when they make no sense", () => {
    expect(podDurationMs({})).toBeUndefined();
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:00Z" })).toBeUndefined();
    expect(podDurationMs({ startedAt: "2026-12-03T12:00:09Z", finishedAt: "2026-12-03T12:00:00Z" })).toBeUndefined();
    expect(podDurationMs({}, { durationsMs: {} })).toBeUndefined();
  });
});
