// runPrPod with report.github: the test cluster runs the pod, the GitHub API test server takes the
// feedback. The PR always ends with exactly one final state: success, failure, or error when the run
// is aborted (Ctrl-C, SIGTERM) or cannot go on; feedback failures are warnings, never the verdict.
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunEvent, runPrPod } from "../src/index.ts";
import { collect, finishLikeThePodScript, HEAD_SHA, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;
let github: TestGitHubServer;
const podScripts = new Map<string, (pod: ScriptedPod) => void>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["feedback"], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => podScripts.get(pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "")?.(pod));
});
afterAll(async () => {
  await cluster?.close();
});
beforeEach(async () => {
  github = await startTestGitHubServer();
  github.addToken(TEST_TOKEN, { kind: "pat" }, "pat");
});
afterEach(async () => {
  const rejected = github.calls.filter((call) => call.rejected);
  await github.close();
  expect(rejected, "requests GitHub's description rejects").toEqual([]);
});

function prWith(script: (pod: ScriptedPod) => void) {
  const pullRequest = offlinePullRequest();
  if (pullRequest.kind === "offline") {
    podScripts.set(String(pullRequest.pr), script);
    github.addPullRequest({ repo: pullRequest.repo, number: pullRequest.pr, headSha: HEAD_SHA, headRef: "feature" });
  }
  return pullRequest;
}

const base = () => ({
  kubeConfig: cluster.kubeConfig,
  namespace: "feedback",
  token: TEST_TOKEN,
  noConfigFile: true,
  report: {
    github: { apiUrl: github.url, targetUrl: "https://ci.example/run/9", retryAfterBaseMs: 1, minWriteIntervalMs: 0 },
  },
});

const states = () => github.statuses("octo/widgets", HEAD_SHA).map((s) => s.state);

describe("runPrPod reports on the pull request", () => {
  it("sets pending before the pod starts and success with the run's summary at the end", async () => {
    const pullRequest = prWith((pod) => {
      expect(github.statuses("octo/widgets", HEAD_SHA).map((s) => s.state)).toEqual(["pending"]);
      pod.start();
      finishLikeThePodScript(pod, ["cloning", "building"]);
    });
    const run = runPrPod({ ...base(), pullRequest });
    const events = await collect(run);
    expect((await run.result).status).toBe("succeeded");
    expect(events.filter((e) => e.type === "warning")).toEqual([]);
    expect(states()).toEqual(["pending", "success"]);
    expect(github.statuses("octo/widgets")[1]).toMatchObject({
      context: "pr-pod",
      targetUrl: "https://ci.example/run/9",
    });
  });

  it("reports error, not pending, when the run is aborted (Ctrl-C or SIGTERM)", async () => {
    const controller = new AbortController();
    const pullRequest = prWith((pod) => {
      pod.start();
      pod.log(["working"]);
    });
    const run = runPrPod({ ...base(), pullRequest, signal: controller.signal });
    for await (const event of run) if (event.type === "log-line") controller.abort(new Error("SIGTERM"));
    expect((await run.result).status).toBe("aborted");
    expect(states()).toEqual(["pending", "error"]);
    expect(github.statuses("octo/widgets")[1]!.description).toMatch(
      /^pr-pod was cancelled in \d+ s: the run was aborted: SIGTERM/,
    );
  });

  it("reports error when the run cannot go on after the PR was marked pending", async () => {
    const pullRequest = prWith(() => {});
    const run = runPrPod({ ...base(), pullRequest, namespace: "no-such-namespace" });
    await expect(run.result).rejects.toMatchObject({ code: "NAMESPACE_NOT_FOUND" });
    expect(states()).toEqual(["pending", "error"]);
    expect(github.statuses("octo/widgets")[1]!.description).toMatch(/^pr-pod could not run: namespace/);
  });

  it("keeps the run's verdict when GitHub refuses the feedback, and says why in a warning", async () => {
    github.faults.failNext({ status: 500, count: 20, match: { operation: "repos/create-commit-status" } });
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["ok"]);
    });
    const run = runPrPod({
      ...base(),
      pullRequest,
      report: { github: { ...base().report.github, apiUrl: github.url } },
    });
    const events: RunEvent[] = await collect(run);
    expect((await run.result).status).toBe("succeeded");
    const warnings = events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(/setting commit status "pr-pod" to pending .* failed with HTTP 500: Server Error/),
      expect.stringMatching(/setting commit status "pr-pod" to success .* failed with HTTP 500: Server Error/),
    ]);
  });
});
