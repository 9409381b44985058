// Fails when the committed dist/ is not what the sources build to: GitHub runs the committed
// bundle, so a stale one would ship code nobody reviewed. Rebuilds into a temp dir and compares.
// Usage: node scripts/check-dist.mjs
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAction } from "./build.mjs";

const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committedDir = join(actionRoot, "dist");

async function listFiles(dir) {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}

/** Returns the relative paths that differ between the two folders (missing on one side counts). */
export async function diffDist(expectedDir, actualDir) {
  const names = [...new Set([...(await listFiles(expectedDir)), ...(await listFiles(actualDir))])].sort();
  const differing = [];
  for (const name of names) {
    const [expected, actual] = await Promise.all(
      [expectedDir, actualDir].map((dir) => readFile(join(dir, name)).catch(() => undefined)),
    );
    if (!expected || !actual || !expected.equals(actual)) differing.push(name);
  }
  return differing;
}

const freshDir = await mkdtemp(join(tmpdir(), "pr-pod-action-dist-"));
try {
  await buildAction({ outdir: freshDir });
  const differing = await diffDist(freshDir, committedDir);
  if (differing.length > 0) {
    console.error(
      `apps/action/dist is out of date (${differing.join(", ")} differ from a fresh build): run \`npx nx run @pr-pod/action:build\` and commit apps/action/dist`,
    );
    process.exitCode = 1;
  } else {
    console.log("apps/action/dist matches a fresh build");
  }
} finally {
  await rm(freshDir, { recursive: true, force: true });
}
