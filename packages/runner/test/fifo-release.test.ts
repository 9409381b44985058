// The docker stand-in holds a build on a FIFO read; releasing it must never block or fail, whatever
// the reader is doing: waiting, killed (its pod deleted mid-build) at the same moment, or not there yet.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { releaseFifoReaders } from "./host-run-fixtures.ts";

let dir: string;
let fifo: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runner-fifo-"));
  fifo = join(dir, "release.fifo");
  execFileSync("mkfifo", [fifo]);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** `busybox sh` blocked opening the FIFO for `read -r line < fifo`, exactly as the stand-in is. */
async function blockedReader(): Promise<{ child: ChildProcess; output: Promise<string> }> {
  const child = spawn("busybox", ["sh", "-c", `read -r line < "$1"; echo "read:$line"`, "sh", fifo], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  const output = once(child, "exit").then(() => out);
  // The kernel names where a process sleeps: a FIFO open waiting for a writer is `wait_for_partner`.
  await expect
    .poll(() => readFile(`/proc/${child.pid}/wchan`, "utf8").catch(() => ""), { timeout: 20_000, interval: 5 })
    .toBe("wait_for_partner");
  return { child, output };
}

describe("releaseFifoReaders", () => {
  it("wakes a reader blocked on the FIFO and removes the FIFO", async () => {
    const reader = await blockedReader();
    await releaseFifoReaders(fifo);
    expect(await reader.output).toContain("read:go");
    expect(existsSync(fifo)).toBe(false);
  });

  it("resolves when nobody reads, and when the FIFO is already gone", async () => {
    await releaseFifoReaders(fifo);
    await releaseFifoReaders(fifo);
    expect(existsSync(fifo)).toBe(false);
  });

  it("never fails while the reader is killed at the same moment (a pod deleted mid-build)", async () => {
    // A write-only release failed here now and then with EPIPE: the reader died between open and write.
    for (let round = 0; round < 150; round++) {
      if (!existsSync(fifo)) execFileSync("mkfifo", [fifo]);
      const reader = await blockedReader();
      const exited = once(reader.child, "exit");
      reader.child.kill("SIGKILL");
      await releaseFifoReaders(fifo);
      await exited;
      expect(existsSync(fifo)).toBe(false);
    }
  }, 60_000);
});
