// The chart files of a run without a checkout, fetched with the real git from the real git server
// that demands the token: only the asked-for paths, at the head commit or the pod's merge, and clear
// errors (git missing, commit not there, path not there, token refused) that never carry the token.
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchPreviewChartSource, type PreviewChartSourceOptions } from "../src/preview-chart-source.ts";
import { TEST_TOKEN } from "./run-helpers.ts";

const run = promisify(execFile);
const CHART = { "chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n", "chart/values.yaml": "a: 1\n" };
let server: TestGitServer;
let baseSha: string;
let headSha: string;
let url: string;

beforeAll(async () => {
  server = await startTestGitServer({ token: TEST_TOKEN });
  await server.createRepo("acme/shop", async (repo) => {
    const root = await repo.commit({ "README.md": "# shop\n", "src/app.txt": "big source\n" });
    headSha = await repo.commit({ "ci/values-pr.yaml": "b: 2\n" }, { branch: "feature", from: "main" });
    // The chart lands on main after the PR branched: only the merge has both.
    baseSha = await repo.commit(CHART, { branch: "main", parents: [root] });
    await repo.pullRequest(9, headSha);
  });
  url = server.repoUrl("acme/shop");
});
afterAll(() => server?.close());

const options = (extra: Partial<PreviewChartSourceOptions> = {}): PreviewChartSourceOptions => ({
  headCloneUrl: url,
  baseCloneUrl: url,
  pr: 9,
  headRef: "feature",
  checkout: "head",
  headSha,
  paths: ["ci/values-pr.yaml"],
  chartPaths: [],
  token: TEST_TOKEN,
  ...extra,
});

describe("fetchPreviewChartSource", () => {
  it("checks out only the asked-for paths at the head commit, with the token, and removes the folder on dispose", async () => {
    const source = await fetchPreviewChartSource(options());
    expect(source.revision).toBe(headSha);
    expect(await readFile(join(source.dir, "ci/values-pr.yaml"), "utf8")).toBe("b: 2\n");
    expect((await readdir(source.dir)).sort()).toEqual([".git", "ci"]);
    // A partial clone: the blobs of files outside the asked-for paths never came.
    const { stdout } = await run("git", ["-C", source.dir, "rev-list", "--objects", "--missing=print", headSha]);
    const missing = stdout.split("\n").filter((line) => line.startsWith("?"));
    expect(missing).toHaveLength(2); // README.md and src/app.txt; ci/values-pr.yaml is there
    expect(server.requests.some((request) => request.authorized)).toBe(true);
    await source.dispose();
    await expect(readdir(source.dir)).rejects.toThrow(/ENOENT/);
  });

  it("with checkout merge redoes the pod's merge, so files from both sides are there", async () => {
    const source = await fetchPreviewChartSource(
      options({ checkout: "merge", baseSha, paths: ["chart", "ci/values-pr.yaml"], chartPaths: ["chart"] }),
    );
    expect(source.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(source.revision).not.toBe(headSha);
    expect(await readFile(join(source.dir, "chart/Chart.yaml"), "utf8")).toContain("name: shop");
    expect(await readFile(join(source.dir, "ci/values-pr.yaml"), "utf8")).toBe("b: 2\n");
    await source.dispose();
  });

  it("names a chart path that is not in the commit, and how to fix it", async () => {
    const error = await fetchPreviewChartSource(options({ paths: ["chart"], chartPaths: ["chart"] })).catch((e) => e);
    expect(error).toMatchObject({ code: "PREVIEW_SOURCE" });
    expect(error.message).toContain(`chart is not in the repository at ${headSha}`);
    expect(error.message).toContain("fix the path in the config file's preview section");
  });

  it("names a folder without Chart.yaml", async () => {
    const error = await fetchPreviewChartSource(options({ paths: ["ci"], chartPaths: ["ci"] })).catch((e) => e);
    expect(error.message).toMatch(/^ci has no Chart\.yaml at [0-9a-f]{7}: preview\.charts\[\]\.path must name/);
  });

  it("says when the commit cannot be fetched (force-pushed away)", async () => {
    const gone = "0123456789abcdef0123456789abcdef01234567";
    const error = await fetchPreviewChartSource(options({ headSha: gone })).catch((e) => e);
    expect(error).toMatchObject({ code: "PREVIEW_SOURCE" });
    expect(error.message).toContain(`commit ${gone} could not be fetched from ${url}`);
    expect(error.message).toContain("Re-run the PR at its current head");
  });

  it("says the token was refused, without the token in the message", async () => {
    const wrong = "ghp_wrongwrongwrongwrongwrongwrong9999";
    const error = await fetchPreviewChartSource(options({ token: wrong })).catch((e) => e);
    expect(error.message).toContain(`the git server at ${url} refused the token`);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause) })).not.toContain(wrong);
  });

  it("says a run without a token (a fork PR's) was asked for credentials, without prompting", async () => {
    const error = await fetchPreviewChartSource(options({ token: undefined })).catch((e) => e);
    expect(error.message).toContain(`the git server at ${url} asked for credentials`);
    expect(error.message).toContain("fork PRs get none without --allow-fork-token");
  });

  it("says what to do when git is missing", async () => {
    const error = await fetchPreviewChartSource(options({ gitPath: "/nonexistent/git" })).catch((e) => e);
    expect(error.message).toMatch(/^git was not found \(\/nonexistent\/git\).*install git, or run with --source/);
  });
});
