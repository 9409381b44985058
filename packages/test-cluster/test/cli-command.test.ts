// `npx test-cluster`, run the way the README tells a user to: from the workspace, through the bin npm
// linked at install time. The bin must be a committed file, because npm skips a bin whose target
// (a dist/ file) does not exist when `npm ci` runs on a fresh clone.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const packageDir = resolve(import.meta.dirname, "..");
const workspaceRoot = resolve(packageDir, "../..");
const packageJson = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid!, "SIGKILL");
    await once(child, "exit");
  }
  child = undefined;
});

describe("the test-cluster command", () => {
  beforeAll(() => {
    // What `npm test` (or `npm run build`) leaves behind; built here only when this test runs alone.
    if (!existsSync(join(packageDir, "dist/cli.js"))) {
      execFileSync("npx", ["tsup"], { cwd: packageDir, stdio: "ignore" });
    }
  }, 120_000);

  it("points its bin at a committed file outside dist/, so npm links it before the first build", () => {
    const target = packageJson.bin["test-cluster"] as string;
    expect(target).not.toMatch(/^(\.\/)?dist\//);
    const tracked = execFileSync("git", ["ls-files", "--error-unmatch", target], { cwd: packageDir, encoding: "utf8" });
    expect(tracked.trim()).toBe(target.replace(/^\.\//, ""));
    const linked = join(workspaceRoot, "node_modules/.bin/test-cluster");
    expect(realpathSync(linked)).toBe(realpathSync(join(packageDir, target)));
  });

  it("serves a cluster from `npx test-cluster` until SIGINT, printing the kubeconfig path first", async () => {
    child = spawn("npx", ["--no-install", "test-cluster", "--http", "--runtime", "scripted"], {
      cwd: workspaceRoot,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, which Ctrl-C signals as a whole
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, "exit");
    const lines = createInterface({ input: child.stdout! });
    const firstLine = await Promise.race([
      once(lines, "line").then(([line]) => line as string),
      exited.then(([code]) => {
        throw new Error(`npx test-cluster exited with ${code} before printing a kubeconfig path: ${stderr}`);
      }),
    ]);
    const kubeconfig = readFileSync(firstLine, "utf8");
    const server = /server: (\S+)/.exec(kubeconfig)?.[1];
    expect(server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = /token: (\S+)/.exec(kubeconfig)?.[1];
    const namespaces = await fetch(`${server}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token}` } });
    expect(namespaces.status).toBe(200);
    const list = (await namespaces.json()) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((ns) => ns.metadata.name)).toContain("default");

    process.kill(-child.pid!, "SIGINT"); // Ctrl-C: the terminal signals npx and the server together
    const [code, signal] = await exited;
    // npx passes the server's clean exit on, or re-raises the SIGINT it got itself, as npm does.
    expect(code === 0 || signal === "SIGINT").toBe(true);
    expect(stderr).toContain("SIGINT, stopping");
    expect(stderr).not.toContain("close failed");
    await expect(fetch(`${server}/version`)).rejects.toThrow();
  }, 60_000);
});
