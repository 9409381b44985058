// Bundles the action into one ESM file, dist/index.js, that GitHub's node24 runtime runs for both
// the main and the post step. Workspace packages are bundled from their src/ (the @pr-pod/source
// condition), so the bundle depends on the sources only and check-dist can reproduce it anywhere.
// Usage: node scripts/build.mjs [--outdir <dir>]   (default: apps/action/dist)
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const workspaceRoot = resolve(actionRoot, "../..");

// Bundled CommonJS dependencies call require() and read __dirname; an ES module has neither.
const commonJsShim = [
  'import { createRequire as __prPodCreateRequire } from "node:module";',
  'import { dirname as __prPodDirname } from "node:path";',
  'import { fileURLToPath as __prPodFileURLToPath } from "node:url";',
  "const require = __prPodCreateRequire(import.meta.url);",
  "const __filename = __prPodFileURLToPath(import.meta.url);",
  "const __dirname = __prPodDirname(__filename);",
].join("\n");

/** Writes `<outdir>/index.js` and `<outdir>/package.json` (`type: module`, so Node loads it as ESM). */
export async function buildAction({ outdir = join(actionRoot, "dist") } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    absWorkingDir: workspaceRoot,
    entryPoints: [join(actionRoot, "src/main.ts")],
    outfile: join(outdir, "index.js"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@pr-pod/source"],
    // node-fetch (under @kubernetes/client-node) requires Node's deprecated built-in punycode, which
    // prints DEP0040 on every run under Node 22+; the npm package of the same code is silent.
    alias: { punycode: "punycode/" },
    mainFields: ["module", "main"],
    banner: { js: commonJsShim },
    minify: true,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "warning",
  });
  // The published repository has no package.json of its own: this one makes index.js an ES module.
  await writeFile(join(outdir, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);
  return outdir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { outdir: { type: "string" } } });
  const outdir = await buildAction({ outdir: values.outdir ? resolve(values.outdir) : undefined });
  console.log(`built ${join(outdir, "index.js")}`);
}
