// The published repository's content (nx run @pr-pod/action:package): action.yml, dist, README and
// LICENSE only, and the bundle in it runs as an ES module with no package.json of the workspace
// above it, on Node 24 as GitHub runs it. Also: two builds of the same sources are byte-identical,
// which is what lets check-dist compare the committed bundle with a fresh one.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionBundle, node24, runActionStep, workflowCommands } from "./support/action-process.ts";

const actionRoot = resolve(import.meta.dirname, "..");
let dir: string;
let packaged: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pr-pod-action-package-"));
  packaged = join(dir, "pr-pod-action");
  await promisify(execFile)(process.execPath, [join(actionRoot, "scripts/package.mjs"), "--out", packaged]);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the packaged action", () => {
  it("holds action.yml, dist, README.md and LICENSE, nothing else", async () => {
    expect((await readdir(packaged)).sort()).toEqual(["LICENSE", "README.md", "action.yml", "dist"]);
    expect((await readdir(join(packaged, "dist"))).sort()).toEqual(["index.js", "main.js", "package.json"]);
    const metadata = parse(await readFile(join(packaged, "action.yml"), "utf8"));
    expect(metadata.runs.main).toBe("dist/index.js");
  });

  it("runs its bundle on Node 24 from the packaged folder", async () => {
    const step = await runActionStep({
      entry: join(packaged, "dist/index.js"),
      node: node24(),
      dir,
      inputs: { "github-token": "ghp_testtesttesttesttesttesttesttest1234" },
      event: { name: "workflow_dispatch", payload: {} },
    });
    expect(step.stderr).toBe("");
    expect(step.exitCode).toBe(1);
    expect(workflowCommands(step.stdout).find((command) => command.command === "error")?.message).toMatch(
      /"workflow_dispatch".*pull request/,
    );
  });

  it("turns on V8's compile cache on Node 24 before it loads the bundle", async () => {
    // Enabled without a folder, the cache goes to <tmpdir>/node-compile-cache; nothing else writes it
    // (NODE_COMPILE_CACHE, which would turn it on from outside, is not set).
    const tmp = join(dir, "tmp-compile-cache");
    await mkdir(tmp);
    const step = await runActionStep({
      entry: join(packaged, "dist/index.js"),
      node: node24(),
      dir,
      env: { TMPDIR: tmp },
      event: { name: "workflow_dispatch", payload: {} },
    });
    expect(step.exitCode).toBe(1);
    const cached = await readdir(join(tmp, "node-compile-cache"), { recursive: true, withFileTypes: true });
    expect(cached.filter((entry) => entry.isFile()).length).toBeGreaterThan(0);
  });

  it("holds the same bundle, byte for byte, as another build of the same sources", async () => {
    expect((await readFile(join(packaged, "dist/index.js"))).equals(await readFile(actionBundle()))).toBe(true);
    const bundle = join(dirname(actionBundle()), "main.js");
    expect((await readFile(join(packaged, "dist/main.js"))).equals(await readFile(bundle))).toBe(true);
  });
});
