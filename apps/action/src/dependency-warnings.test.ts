import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { silenceDependencyWarnings } from "./dependency-warnings.ts";

let original: typeof process.emitWarning;
const seen: unknown[] = [];

beforeEach(() => {
  original = process.emitWarning;
  seen.length = 0;
  process.emitWarning = vi.fn((warning: unknown, ...args: unknown[]) => {
    seen.push([warning, ...args]);
  }) as unknown as typeof process.emitWarning;
});

afterEach(() => {
  process.emitWarning = original;
});

describe("silenceDependencyWarnings", () => {
  it("drops url.parse()'s deprecation warning, in each way Node can emit it", () => {
    silenceDependencyWarnings();
    process.emitWarning("`url.parse()` behavior is not standardized", "DeprecationWarning", "DEP0169");
    process.emitWarning("`url.parse()` behavior is not standardized", { type: "DeprecationWarning", code: "DEP0169" });
    expect(seen).toEqual([]);
  });

  it("lets every other warning through", () => {
    silenceDependencyWarnings();
    process.emitWarning("Buffer() is deprecated", "DeprecationWarning", "DEP0005");
    process.emitWarning("something else");
    expect(seen).toHaveLength(2);
  });
});
