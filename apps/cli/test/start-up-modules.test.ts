// What a command loads before it does anything. `pr-pod --help` and `pr-pod render` must start fast:
// they may not load @kubernetes/client-node (about 14 MB of the bundle), octokit, or the preview, demo
// and webhook-service code. The built CLI is one bundle split into chunks, so each loaded chunk is
// traced back to its sources through its source map; a loader hook (record-loaded-modules.mjs) lists
// the chunks. A command that does talk to a cluster is the control: there client-node must show up,
// so the check cannot pass by seeing nothing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-process.ts";

const scratch = mkdtempSync(join(tmpdir(), "pr-pod-start-up-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const hook = pathToFileURL(join(import.meta.dirname, "record-loaded-modules.mjs")).href;

const heavy = {
  "@kubernetes/client-node": /node_modules\/@kubernetes\/client-node\//,
  octokit: /node_modules\/@octokit\//,
  "preview packages": /packages\/preview-(deploy|tests)\//,
  "webhook service": /packages\/webhook-service\//,
  "test servers (demo)": /packages\/test-(cluster|github-server|git-server|docker-engine)\//,
  "the demo command": /apps\/cli\/src\/commands\/demo\.ts$/,
} as const;
type Heavy = keyof typeof heavy;

/** Runs pr-pod with the hook; returns its result and which heavy parts its loaded chunks hold. */
async function loadedBy(name: string, args: string[], env: Record<string, string> = {}) {
  const log = join(scratch, `${name}.log`);
  const result = await runCli(args, { env: { ...env, NODE_OPTIONS: `--import=${hook}`, PR_POD_TEST_MODULE_LOG: log } });
  const files = readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((url) => fileURLToPath(url));
  const sources = files
    .filter((file) => file.includes("/apps/cli/dist/"))
    .flatMap((file) => (JSON.parse(readFileSync(`${file}.map`, "utf8")) as { sources: string[] }).sources);
  const found = (Object.keys(heavy) as Heavy[]).filter((part) => sources.some((source) => heavy[part].test(source)));
  return { result, files, found, sources };
}

const offlineFlags = [
  "--repo",
  "octo/app",
  "--pr",
  "7",
  "--sha",
  "a".repeat(40),
  "--head-ref",
  "fix",
  "--base-ref",
  "main",
];

describe("what a command loads at start-up", () => {
  it("pr-pod --help loads none of client-node, octokit, previews, demo or webhook service", async () => {
    const { result, files, found } = await loadedBy("help", ["--help"]);
    expect(result.code).toBe(0);
    expect(files.some((file) => file.endsWith("/apps/cli/dist/cli.js"))).toBe(true);
    expect(found).toEqual([]);
  });

  it("pr-pod render loads none of them either, and still prints the Job", async () => {
    const { result, found } = await loadedBy("render", ["render", ...offlineFlags]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("kind: Job");
    expect(found).toEqual([]);
  });

  it("the control: a command that talks to a cluster does load client-node", async () => {
    // No kubeconfig anywhere: the command fails, but only after it loaded the kubeconfig code.
    const { result, found, sources } = await loadedBy("status", ["status", "--kubeconfig", join(scratch, "missing")]);
    expect(result.code).not.toBe(0);
    expect(found).toContain("@kubernetes/client-node");
    // Only the API classes pr-pod uses: a dynamic import() of the whole package anywhere in the CLI
    // (or a namespace import) would put all of client-node's API groups into the chunk every run loads.
    const apiClasses = sources.flatMap((source) => /client-node\/.*\/gen\/apis\/(\w+Api)\.ts$/.exec(source)?.[1] ?? []);
    expect(apiClasses).toContain("CoreV1Api");
    expect(apiClasses).not.toContain("StorageV1Api");
    expect(apiClasses).not.toContain("NetworkingV1Api");
  });

  it("pr-pod run loads client-node, but no octokit or preview code when nothing needs them", async () => {
    // Offline flags, no preview, no GitHub report: the run gets as far as its permission check (the
    // limited user may not create Secrets) and stops there with 77, nothing created.
    const cluster: TestCluster = await startTestCluster({ namespaces: ["ci"] });
    try {
      const { result, found, sources } = await loadedBy(
        "run",
        ["run", ...offlineFlags, "--kubeconfig", cluster.limitedKubeconfigPath, "-n", "ci"],
        { GITHUB_PAT: "ghp_testtesttesttesttesttesttesttest1234" },
      );
      expect(result.stderr).toContain("secrets");
      expect(result.code).toBe(77);
      expect(found).toEqual(["@kubernetes/client-node"]);
      // Nor client-node's parts a run never uses: exec/attach (ws), cp (tar-fs), and node-fetch's
      // URL polyfill (tools/bundle/bundle-dependencies.mjs).
      for (const unused of [/node_modules\/ws\//, /node_modules\/tar-fs\//, /node_modules\/(tr46|whatwg-url)\//]) {
        expect(sources.filter((source) => unused.test(source))).toEqual([]);
      }
    } finally {
      await cluster.close();
    }
  });
});
