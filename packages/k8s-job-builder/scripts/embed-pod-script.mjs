// Embeds src/pod-script.sh into src/pod-script.generated.ts, so the script ships inside the JS bundle (the
// action is one bundled file) while staying a real .sh file to read and lint. A test fails when they differ.
// Run: node packages/k8s-job-builder/scripts/embed-pod-script.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../src/pod-script.sh", import.meta.url));
const target = fileURLToPath(new URL("../src/pod-script.generated.ts", import.meta.url));
const text = readFileSync(source, "utf8");
writeFileSync(
  target,
  `// Generated from pod-script.sh by scripts/embed-pod-script.mjs: edit the .sh file, then run the script.\n// biome-ignore-all lint: generated text of a shell script\nexport const POD_SCRIPT_SOURCE: string = ${JSON.stringify(text)};\n`,
);
// Leave the file as the workspace's formatter would, so `biome check` stays clean.
const biome = fileURLToPath(new URL("../../../node_modules/.bin/biome", import.meta.url));
if (existsSync(biome)) execFileSync(biome, ["format", "--write", target], { stdio: "ignore" });
