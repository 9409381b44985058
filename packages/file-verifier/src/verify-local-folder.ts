// `--source .` runs: the same check as the pod's, straight on a folder.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type FileSpec, globToRegExp, isGlob, normalizeFileSpec } from "./file-spec.ts";
import type { FileCheckResult } from "./pr-pod-report.ts";

async function listPaths(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relative: string) => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name === ".git") continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      out.push(path);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk("");
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Checks a local folder against the spec, with the pod's semantics. Throws when `dir` is not a folder. */
export async function verifyLocalFolder(
  dir: string,
  spec: FileSpec | readonly string[] = {},
): Promise<FileCheckResult> {
  const normalized = normalizeFileSpec(spec);
  const stat = await lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new Error(`verifyLocalFolder: ${JSON.stringify(dir)} is not a folder; pass the checkout's root folder`);
  }
  let paths: string[] | undefined;
  const matches = async (pattern: string) => {
    if (!isGlob(pattern)) return exists(join(dir, pattern));
    paths ??= await listPaths(dir);
    const regex = globToRegExp(pattern);
    return paths.some((path) => regex.test(path));
  };
  const result: FileCheckResult = { found: [], missing: [], optionalFound: [], optionalMissing: [] };
  for (const pattern of normalized.required) ((await matches(pattern)) ? result.found : result.missing).push(pattern);
  for (const pattern of normalized.optional) {
    ((await matches(pattern)) ? result.optionalFound : result.optionalMissing).push(pattern);
  }
  return result;
}
