// Builds and runs the webhook service load figure (src/webhook-load.ts) the way run.mjs builds the
// bench: workspace packages from source, everything else external.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
await build({
  entryPoints: { "webhook-load": join(here, "src/webhook-load.ts") },
  outdir: join(here, "dist"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@pr-pod/source"],
  outExtension: { ".js": ".mjs" },
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  plugins: [
    {
      name: "external-dependencies",
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith("@pr-pod/") || args.path.startsWith("node:")
            ? undefined
            : { path: args.path, external: true },
        );
      },
    },
  ],
  logLevel: "warning",
});
const child = spawn(process.execPath, [join(here, "dist/webhook-load.mjs"), ...process.argv.slice(2)], {
  stdio: "inherit",
});
child.on("exit", (code) => process.exit(code ?? 1));
