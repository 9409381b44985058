// The one build recipe every library uses: ESM for Node 20.19+, with .d.ts, from src/index.ts.
import type { Options } from "tsup";

export function libraryBuild(extra: Partial<Options> = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    ...extra,
  };
}
