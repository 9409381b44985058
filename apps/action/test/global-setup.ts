// Builds the action's bundle once for every test file of this project (with the same script as
// `nx run @pr-pod/action:build`, into a temp dir), and hands its path to the tests as "actionBundle".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
// @ts-expect-error: plain .mjs script without types
import { buildAction } from "../scripts/build.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the freshly built dist/index.js. */
    actionBundle: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "pr-pod-action-dist-"));
  const outdir: string = await buildAction({ outdir: join(dir, "dist") });
  project.provide("actionBundle", join(outdir, "index.js"));
  return () => rm(dir, { recursive: true, force: true });
}
