// Assembles the published action repository (org/pr-pod-action): action.yml, dist/, README.md and
// LICENSE, nothing else, so `uses: org/pr-pod-action@v1` runs exactly what this folder holds.
// Builds dist/ first. Usage: node scripts/package.mjs [--out <dir>]   (default: apps/action/out/pr-pod-action)
import { cp, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildAction } from "./build.mjs";

const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = values.out ? resolve(values.out) : join(actionRoot, "out", "pr-pod-action");

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await buildAction({ outdir: join(out, "dist") });
for (const file of ["action.yml", "README.md", "LICENSE"]) {
  await cp(join(actionRoot, file), join(out, file));
}
console.log(`packaged the action into ${out}`);
