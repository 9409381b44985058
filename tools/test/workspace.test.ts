// Pins the workspace's own promises: real kube tools for tests, and the package boundaries
// the architecture depends on.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs tool script without types
import { ensureKubeTools } from "../kube-tools.mjs";

const workspaceRoot = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function workspaceProjects(): string[] {
  return ["packages", "apps"].flatMap((group) =>
    readdirSync(join(workspaceRoot, group)).map((name) => join(workspaceRoot, group, name)),
  );
}

describe("kube tools", () => {
  it("gives tests a real kubectl 1.35", async () => {
    const { kubectl } = await ensureKubeTools();
    const version = JSON.parse(execFileSync(kubectl, ["version", "--client", "-o", "json"], { encoding: "utf8" }));
    expect(version.clientVersion.major).toBe("1");
    expect(version.clientVersion.minor).toBe("35");
  });

  it("gives tests a real helm 4.1", async () => {
    const { helm } = await ensureKubeTools();
    expect(execFileSync(helm, ["version", "--short"], { encoding: "utf8" })).toMatch(/^v4\.1\./);
  });
});

describe("package boundaries", () => {
  it("lets only apps/action import @actions/*", () => {
    const offenders = workspaceProjects()
      .filter((project) => !project.endsWith(join("apps", "action")))
      .flatMap((project) => sourceFiles(join(project, "src")))
      .filter((file) => /from\s+["']@actions\//.test(readFileSync(file, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("gives every library an ESM exports map with types and a src/index.ts surface", () => {
    for (const project of workspaceProjects().filter((p) => p.includes(`${join("packages")}`))) {
      const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
      expect(manifest.name, project).toMatch(/^@pr-pod\//);
      expect(manifest.type, project).toBe("module");
      expect(manifest.exports["."], project).toMatchObject({
        "@pr-pod/source": "./src/index.ts",
        types: "./dist/index.d.ts",
        import: "./dist/index.js",
      });
    }
  });
});
