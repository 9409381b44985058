// isValidBranchName must agree with git itself: random names built from the characters the
// rules are about, each checked with the real `git check-ref-format --branch`.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isValidBranchName } from "../src/index.ts";

const run = promisify(execFile);
let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "pr-context-refs-"));
  await run("git", ["init", "-q", repo]);
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function gitAccepts(name: string): Promise<boolean> {
  try {
    await run("git", ["check-ref-format", "--branch", name], { cwd: repo });
    return true;
  } catch {
    return false;
  }
}

const pieces = fc.constantFrom(
  "a",
  "Z",
  "9",
  "-",
  "_",
  ".",
  "/",
  "@",
  "{",
  "}",
  "~",
  "^",
  ":",
  "?",
  "*",
  "[",
  "\\",
  " ",
  "\t",
  "ü",
  "🚀",
  ".lock",
  "..",
  "//",
  "@{",
  "HEAD",
  "main",
  "feature/",
  "\x7f",
);
const names = fc.array(pieces, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(""));

it("agrees with git check-ref-format --branch on random names", async () => {
  await fc.assert(
    fc.asyncProperty(names, async (name) => {
      expect(isValidBranchName(name), JSON.stringify(name)).toBe(await gitAccepts(name));
    }),
    { numRuns: 250 },
  );
});
