// What the two shipped bundles (the CLI's dist/cli.js and the action's dist/main.js) change about how
// their dependencies are bundled, so that a run loads less code at start-up (bench figures 1 and 5).
import { fileURLToPath } from "node:url";

/** esbuild `alias`: dependencies replaced by a smaller module doing the same on Node 20+. */
export const bundleAliases = {
  "whatwg-url": fileURLToPath(new URL("./whatwg-url-node.mjs", import.meta.url)),
};

/**
 * @kubernetes/client-node declares no `sideEffects`, so esbuild keeps every module its index
 * re-exports (exec, attach and port-forward with ws, cp with tar-fs, metrics, ...) even when nothing
 * uses them. None of its modules does anything on import beyond defining its own exports (no global
 * registration, no bare `import "./x"`), so they are marked side-effect free and unused ones dropped.
 * @type {import("esbuild").Plugin}
 */
export const clientNodeTreeShaking = {
  name: "client-node-tree-shaking",
  setup(build) {
    build.onResolve({ filter: /^(@kubernetes\/client-node|\.\.?\/)/ }, async (args) => {
      if (args.pluginData?.clientNodeTreeShaking) return undefined;
      if (!args.path.startsWith("@kubernetes/client-node") && !args.importer.includes("/@kubernetes/client-node/"))
        return undefined;
      const resolved = await build.resolve(args.path, {
        importer: args.importer,
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: { clientNodeTreeShaking: true },
      });
      if (resolved.errors.length > 0 || !resolved.path.includes("/@kubernetes/client-node/dist/")) return undefined;
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * `node:http` through `require`, not `import`. On Node 22+ an ES module import of node:http reads every
 * export of the built-in to build the module namespace, and one of them is a lazy getter that loads
 * Node's whole bundled undici (fetch, WebSocket): about 20 ms of every start on Node 24 for code pr-pod
 * never calls. The bundles' banner defines `require` (createRequire), and a CommonJS require of the
 * built-in reads no exports up front.
 * @type {import("esbuild").Plugin}
 */
export const nodeHttpThroughRequire = {
  name: "node-http-through-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      // The module below requires the real built-in: that one require stays outside the bundle.
      args.namespace === "node-http-through-require"
        ? { path: "node:http", external: true }
        : { path: "node:http", namespace: "node-http-through-require" },
    );
    build.onLoad({ filter: /.*/, namespace: "node-http-through-require" }, () => ({
      contents: 'module.exports = require("node:http");',
      loader: "js",
    }));
  },
};
