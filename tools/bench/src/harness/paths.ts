// Where things are: the bench runs bundled from tools/bench/dist, so paths are taken from there.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** tools/bench (the bundle lives in tools/bench/dist). */
export const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const workspaceRoot = resolve(benchRoot, "../..");
/** The built CLI (`npm run build`); figures that need it say n/a without it. */
export const cliPath = join(workspaceRoot, "apps/cli/dist/cli.js");
export const baselineScript = join(benchRoot, "src/baseline/kubectl-pr-run.sh");
/** A child program; `bundled`: the variant with every dependency bundled in (as the action ships). */
export const childProgram = (name: "pr-pod-run" | "follow-logs", bundled = false) =>
  join(benchRoot, "dist", bundled ? "bundled" : "", `${name}.mjs`);

/** kubectl 1.35 as the tests use it: PR_POD_KUBE_TOOLS, else .tools/bin in the workspace. */
export function findKubectl(explicit?: string): string | undefined {
  if (explicit !== undefined) return existsSync(explicit) ? explicit : undefined;
  const candidates = [
    process.env["PR_POD_KUBE_TOOLS"] ? join(process.env["PR_POD_KUBE_TOOLS"], "kubectl") : undefined,
    join(workspaceRoot, ".tools/bin/kubectl"),
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}
