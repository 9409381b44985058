import { defineConfig } from "tsup";
import {
  bundleAliases,
  clientNodeTreeShaking,
  nodeHttpThroughRequire,
} from "../../tools/bundle/bundle-dependencies.mjs";
import { libraryBuild } from "../../tools/tsup.shared.ts";

// Two builds into dist/:
// - index.js (the small programmatic surface, with .d.ts): a library build, dependencies external.
// - cli.js (the `pr-pod` bin, whose `#!/usr/bin/env node` line comes from the top of src/cli.ts):
//   every dependency inlined, as CLIs ship, because loading client-node and friends file by file from
//   node_modules was most of a run's start-up. The workspace packages are bundled from their sources
//   (the `@pr-pod/source` condition), and command bodies stay chunks loaded on demand, so `--help` and
//   `render` (which imports only the `./pure` exports of the runner, pat-secret and pr-context) load no
//   client-node or octokit (test/start-up-modules.test.ts). A CommonJS dependency that calls `require`
//   gets it from the banner.
// Neither build cleans dist/ (they run at the same time and one must not delete the other's output):
// the package's build script empties it first.
export default defineConfig([
  libraryBuild({ entry: ["src/index.ts"], clean: false }),
  libraryBuild({
    entry: ["src/cli.ts"],
    dts: false,
    clean: false,
    splitting: true,
    // Minified: V8 parses the client-node chunk in about three quarters of the time (bench figure 1).
    minify: true,
    noExternal: [/.*/],
    // Less of client-node at start-up: tools/bundle/bundle-dependencies.mjs says what and why.
    esbuildPlugins: [clientNodeTreeShaking, nodeHttpThroughRequire],
    // tsup's own plugin that strips `node:` would otherwise mark node:http external before nodeHttpThroughRequire sees it.
    removeNodeProtocol: false,
    esbuildOptions(options) {
      options.conditions = ["@pr-pod/source"];
      options.alias = { ...options.alias, ...bundleAliases };
    },
    banner: {
      js: 'import { createRequire as __prPodCreateRequire } from "node:module";\nconst require = __prPodCreateRequire(import.meta.url);',
    },
  }),
]);
