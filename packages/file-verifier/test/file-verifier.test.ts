import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ARTIFACT_LIST_LIMIT,
  buildVerifyFilesScript,
  evaluate,
  type FileCheckResult,
  globToRegExp,
  listArtifacts,
  normalizeFileSpec,
  type PrPodReport,
  parsePrPodReport,
  REPORT_CUT_MARKER,
  REPORT_LOG_MARKER,
  verifyLocalFolder,
} from "../src/index.ts";

const BUSYBOX_APPLETS = ["sh", "find", "sed", "grep", "rm", "cat", "printf", "test", "["];

let work: string;
let busyboxBin: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "file-verifier-"));
  busyboxBin = join(work, "bin");
  await mkdir(busyboxBin);
  for (const applet of BUSYBOX_APPLETS) await symlink("/usr/bin/busybox", join(busyboxBin, applet));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function makeTree(name: string, files: string[]): Promise<string> {
  const root = join(work, name);
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), "x\n");
  }
  await mkdir(root, { recursive: true });
  return root;
}

/** Runs the generated snippet under busybox sh with only busybox tools on PATH. */
function runSnippet(script: string, dir: string): Promise<{ code: number; result: FileCheckResult }> {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const program = `${script}\npr_pod_verify_files "$1" "$2"`;
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/busybox",
      ["sh", "-c", program, "verify", dir, out],
      { env: { PATH: busyboxBin } },
      async (error, _stdout, stderr) => {
        try {
          const lines = (await readFile(out, "utf8")).split("\n").filter(Boolean);
          const result: FileCheckResult = { found: [], missing: [], optionalFound: [], optionalMissing: [] };
          for (const line of lines) {
            const [status, pattern] = line.split("\t") as [string, string];
            const key = {
              found: "found",
              missing: "missing",
              "optional-found": "optionalFound",
              "optional-missing": "optionalMissing",
            }[status] as keyof FileCheckResult;
            result[key].push(pattern);
          }
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, result });
        } catch (e) {
          reject(new Error(`snippet failed: ${stderr} ${String(e)}`));
        }
      },
    );
  });
}

describe("file specs", () => {
  it("defaults to the seed's package.json, README.md and Dockerfile", () => {
    expect(normalizeFileSpec()).toEqual({ required: ["package.json", "README.md", "Dockerfile"], optional: [] });
    expect(normalizeFileSpec(["./a.txt", "a.txt", "b/"])).toEqual({ required: ["a.txt", "b"], optional: [] });
  });

  it("refuses patterns that leave the repository, naming the value and the fix", () => {
    expect(() => normalizeFileSpec(["../etc/passwd"])).toThrow(
      /"\.\.\/etc\/passwd" climbs out.*relative to the repository root/,
    );
    expect(() => normalizeFileSpec(["/abs"])).toThrow(/is absolute/);
    expect(() => normalizeFileSpec(["a\nb"])).toThrow(/control character/);
    expect(() => normalizeFileSpec(["a[b"])).toThrow(/without a closing/);
  });

  it("matches * within a folder, ** across folders, ? and brackets", () => {
    expect(globToRegExp("src/*.ts").test("src/a.ts")).toBe(true);
    expect(globToRegExp("src/*.ts").test("src/x/a.ts")).toBe(false);
    expect(globToRegExp("src/**/*.ts").test("src/a.ts")).toBe(true);
    expect(globToRegExp("src/**/*.ts").test("src/x/y/a.ts")).toBe(true);
    expect(globToRegExp("**/Chart.yaml").test("deploy/chart/Chart.yaml")).toBe(true);
    expect(globToRegExp("file?.txt").test("file1.txt")).toBe(true);
    expect(globToRegExp("file[!0-9].txt").test("file1.txt")).toBe(false);
    expect(globToRegExp("a.b+c(d)").test("a.b+c(d)")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });
});

describe("the pod's snippet and verifyLocalFolder", () => {
  const spec = {
    required: ["package.json", "README.md", "Dockerfile", "src/**/*.ts", "docs"],
    optional: ["LICENSE", "charts/*/Chart.yaml", "*.md"],
  };

  it("agree on a folder where everything is there", async () => {
    const dir = await makeTree("complete", [
      "package.json",
      "README.md",
      "Dockerfile",
      "src/deep/er/index.ts",
      "docs/guide.md",
      "charts/app/Chart.yaml",
    ]);
    const local = await verifyLocalFolder(dir, spec);
    expect(local).toEqual({
      found: spec.required,
      missing: [],
      optionalFound: ["charts/*/Chart.yaml", "*.md"],
      optionalMissing: ["LICENSE"],
    });
    const pod = await runSnippet(buildVerifyFilesScript(spec), dir);
    expect(pod.code).toBe(0);
    expect(pod.result).toEqual(local);
  });

  it("agree on a folder with files missing, and the snippet returns 1", async () => {
    const dir = await makeTree("partial", ["package.json", "src/index.js", ".git/Dockerfile", "nested/README.md"]);
    const local = await verifyLocalFolder(dir, spec);
    expect(local.missing).toEqual(["README.md", "Dockerfile", "src/**/*.ts", "docs"]);
    const pod = await runSnippet(buildVerifyFilesScript(spec), dir);
    expect(pod.code).toBe(1);
    expect(pod.result).toEqual(local);
  });

  it("quotes patterns with quotes and spaces safely", async () => {
    const odd = "it's a $(file) `x`.txt";
    const dir = await makeTree("odd", [odd]);
    const pod = await runSnippet(buildVerifyFilesScript([odd, "no such"]), dir);
    expect(pod.result.found).toEqual([odd]);
    expect(pod.result.missing).toEqual(["no such"]);
  });

  it("says which folder is wrong when given something else", async () => {
    await expect(verifyLocalFolder(join(work, "nope"))).rejects.toThrow(/"[^"]*nope" is not a folder/);
  });
});

const baseReport: PrPodReport = {
  version: 1,
  ok: true,
  exitCode: 0,
  stage: "done",
  sha: "a".repeat(40),
  files: { found: ["package.json", "README.md", "Dockerfile"], missing: [], optionalFound: [], optionalMissing: [] },
  builds: [{ kind: "dockerfile", file: "Dockerfile", context: ".", ok: true, digest: "sha256:abc", durationMs: 5 }],
  durationsMs: { total: 10 },
};

describe("parsePrPodReport", () => {
  it("prefers the termination message", () => {
    const parsed = parsePrPodReport({
      terminationMessage: JSON.stringify(baseReport),
      logText: `${REPORT_LOG_MARKER}${JSON.stringify({ ...baseReport, sha: "b".repeat(40) })}`,
    });
    expect(parsed).toEqual({ report: baseReport, source: "termination-message" });
  });

  it("falls back to the last marked log line when the message is the short form, cut, or missing", () => {
    const full = { ...baseReport, sha: "c".repeat(40) };
    const log = [
      `2026-01-01T00:00:00Z ${REPORT_LOG_MARKER}{"forged":true}`,
      "building...",
      `2026-01-01T00:00:01Z ${REPORT_LOG_MARKER}${JSON.stringify(full)}`,
      "",
    ].join("\n");
    const short = JSON.stringify({ ...baseReport, truncated: true, builds: undefined });
    expect(parsePrPodReport({ terminationMessage: short, logText: log })).toEqual({ report: full, source: "log" });
    expect(parsePrPodReport({ terminationMessage: `{"version":1,"ok${REPORT_CUT_MARKER}`, logText: log })?.source).toBe(
      "log",
    );
    expect(parsePrPodReport({ logText: log })?.report.sha).toBe("c".repeat(40));
  });

  it("finds the marked line in a termination message that is the log's tail (FallbackToLogsOnError)", () => {
    const tail = `[pr-pod] done\n${REPORT_LOG_MARKER}${JSON.stringify(baseReport)}\n`;
    expect(parsePrPodReport({ terminationMessage: tail })).toEqual({ report: baseReport, source: "log" });
  });

  it("keeps the short form when it is all there is, and returns undefined for no report at all", () => {
    const short = { ...baseReport, truncated: true };
    expect(
      parsePrPodReport({ terminationMessage: JSON.stringify(short), logText: "no marker" })?.report.truncated,
    ).toBe(true);
    expect(parsePrPodReport({ terminationMessage: "fatal: something", logText: "plain log" })).toBeUndefined();
    expect(parsePrPodReport("")).toBeUndefined();
  });
});

describe("evaluate", () => {
  it("passes a clean report", () => {
    expect(evaluate(baseReport)).toEqual({ passed: true, missing: [], failedBuilds: [], reasons: [] });
  });

  it("names the missing files and failed builds", () => {
    const failed: PrPodReport = {
      ...baseReport,
      ok: false,
      exitCode: 14,
      stage: "verify",
      files: { found: ["package.json"], missing: ["README.md"], optionalFound: [], optionalMissing: [] },
      builds: [{ kind: "dockerfile", file: "api/Dockerfile", ok: false, error: "exit 1", durationMs: 1 }],
    };
    const verdict = evaluate(failed);
    expect(verdict.passed).toBe(false);
    expect(verdict.missing).toEqual(["README.md"]);
    expect(verdict.reasons).toEqual([
      'the pod failed in stage "verify" with exit code 14',
      "missing required files: README.md",
      "builds failed: api/Dockerfile (exit 1)",
    ]);
  });

  it("judges a truncated report by what the pod saw missing, since it lists nothing found", () => {
    const short: PrPodReport = {
      ...baseReport,
      truncated: true,
      files: { found: [], missing: [], optionalFound: [], optionalMissing: [] },
    };
    expect(evaluate(short, { files: ["package.json"] })).toMatchObject({ passed: true, missing: [] });
  });

  it("checks the caller's own expectations against what the pod found", () => {
    const verdict = evaluate(baseReport, { files: ["package.json", "LICENSE"], requireArtifacts: true });
    expect(verdict.missing).toEqual(["LICENSE"]);
    expect(verdict.reasons).toContain("no Dockerfile or bake file found in the pull request");
  });
});

describe("listArtifacts", () => {
  const none = { dockerfiles: [], bakeFiles: [], composeFiles: [], charts: [] };

  it("counts by kind and lists every path when there are few", () => {
    const listing = listArtifacts({
      ...none,
      dockerfiles: ["Dockerfile", "api/Dockerfile", "web/Dockerfile"],
      charts: ["charts/app"],
    });
    expect(listing.summary).toBe("3 Dockerfiles, 1 Helm chart");
    expect(listing.shown).toEqual([
      { kind: "Dockerfile", path: "Dockerfile" },
      { kind: "Dockerfile", path: "api/Dockerfile" },
      { kind: "Dockerfile", path: "web/Dockerfile" },
      { kind: "Helm chart", path: "charts/app" },
    ]);
    expect(listing.omitted).toBe(0);
  });

  it("bounds the list and says how many were left out", () => {
    const dockerfiles = Array.from({ length: 30 }, (_, i) => `svc-${i}/Dockerfile`);
    const listing = listArtifacts({ ...none, dockerfiles, bakeFiles: ["docker-bake.hcl"] });
    expect(listing.summary).toBe("30 Dockerfiles, 1 bake file");
    expect(listing.shown).toHaveLength(ARTIFACT_LIST_LIMIT);
    expect(listing.omitted).toBe(31 - ARTIFACT_LIST_LIMIT);
    expect(listing.total).toBe(31);
    expect(listArtifacts({ ...none, dockerfiles }, { max: 2 }).shown.map((a) => a.path)).toEqual([
      "svc-0/Dockerfile",
      "svc-1/Dockerfile",
    ]);
  });

  it("says none found when there is nothing", () => {
    expect(listArtifacts(none)).toEqual({ summary: "none found", shown: [], omitted: 0, total: 0 });
  });
});
