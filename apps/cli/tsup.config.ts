import { defineConfig } from "tsup";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// Two entries: index.js (the small programmatic surface, with .d.ts) and cli.js (the `pr-pod` bin,
// whose `#!/usr/bin/env node` line comes from the top of src/cli.ts: esbuild keeps an entry's hashbang,
// and tsup marks such files executable). Command bodies become chunks loaded on demand.
export default defineConfig(
  libraryBuild({
    entry: ["src/index.ts", "src/cli.ts"],
    dts: { entry: "src/index.ts" },
    splitting: true,
  }),
);
