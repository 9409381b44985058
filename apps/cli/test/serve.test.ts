// `pr-pod serve` as a process, the way it runs in a pod: killed with SIGKILL mid-run and started
// again (it finds its run in the cluster and finishes it), stopped with SIGTERM (it aborts and
// cleans up its run within the grace, exit 0), and `pr-pod simulate --to` sending it signed deliveries.
import { CoreV1Api } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { startTestGitHubServer, type TestGitHubServer } from "@pr-pod/test-github-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type StartedCli, startCli } from "./cli-process.ts";

const NS = "serve";
const SECRET = "serve-test-secret";
const PAT = "ghp_servecliservecliservecli1234567890";
const HEAD_SHA = "a".repeat(40);
let cluster: TestCluster;
/** Where the service reports each run's status (GitHub itself is not reachable from tests). */
let github: TestGitHubServer;
/** Pods by PR number, as they appear. */
const pods = new Map<string, ScriptedPod>();
const podSeen = new Map<string, (pod: ScriptedPod) => void>();

beforeAll(async () => {
  github = await startTestGitHubServer();
  github.addToken(PAT, { kind: "pat" }, "pat");
  for (const number of [71, 72]) {
    github.addPullRequest({ repo: "octo/widgets", number, headSha: HEAD_SHA, headRef: "feature", baseRef: "main" });
  }
  cluster = await startTestCluster({ namespaces: [NS], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => {
    const pr = pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "";
    pod.start(); // runs until the test ends it
    pods.set(pr, pod);
    podSeen.get(pr)?.(pod);
  });
});
afterAll(async () => {
  await Promise.all([cluster?.close(), github?.close()]);
});

function waitForPod(pr: number): Promise<ScriptedPod> {
  const seen = pods.get(String(pr));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => podSeen.set(String(pr), resolve));
}

interface Serve {
  cli: StartedCli;
  url: string;
  /** Resolves with the first JSON log line that matches. */
  logLine(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

async function serve(instance: string, extra: string[] = []): Promise<Serve> {
  const cli = startCli(
    [
      ...["serve", "--kubeconfig", cluster.kubeconfigPath, "-n", NS, "--port", "0", "--instance", instance],
      ...["--github-api-url", github.url, ...extra],
    ],
    { env: { PR_POD_WEBHOOK_SECRET: SECRET, GITHUB_PAT: PAT } },
  );
  const logLine = (match: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const scan = () => {
        for (const text of cli.output().stdout.split("\n")) {
          if (!text.startsWith("{")) continue;
          const line = JSON.parse(text) as Record<string, unknown>;
          if (match(line)) {
            cli.child.stdout?.off("data", scan);
            resolve(line);
            return;
          }
        }
      };
      cli.child.stdout?.on("data", scan);
      cli.child.once("close", () => reject(new Error(`pr-pod serve exited:\n${cli.output().stderr}`)));
      scan();
    });
  const listening = await logLine((line) => line["msg"] === "pr-pod serve is listening");
  return { cli, url: `http://127.0.0.1:${listening["port"]}/webhook`, logLine };
}

function simulate(url: string, pr: number, action = "opened") {
  return runCli(
    [
      "simulate",
      ...["--repo", "octo/widgets", "--pr", String(pr), "--sha", HEAD_SHA],
      ...["--head-ref", "feature", "--base-ref", "main", "--base-sha", "b".repeat(40)],
      ...["--action", action, "--to", url, "-o", "json"],
    ],
    { env: { PR_POD_WEBHOOK_SECRET: SECRET } },
  );
}

async function runObjects(): Promise<string[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const secrets = await core.listNamespacedSecret({
    namespace: NS,
    labelSelector: "app.kubernetes.io/managed-by=pr-pod",
  });
  const jobs = cluster.requests.count({ verb: "create", resource: "jobs", status: 201 });
  return [...secrets.items.map((s) => `Secret/${s.metadata?.name}`), `jobs created: ${jobs}`];
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("pr-pod serve", () => {
  it("refuses to start without a webhook secret (exit 64, says what to set)", async () => {
    const result = await runCli(["serve", "--kubeconfig", cluster.kubeconfigPath, "--port", "0"]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/PR_POD_WEBHOOK_SECRET/);
  });

  it("refuses --keep-previews or --preview-ttl without --deploy-previews, and a TTL of 0 hours (exit 64)", async () => {
    const env = { PR_POD_WEBHOOK_SECRET: "s3cret" };
    const base = ["serve", "--kubeconfig", cluster.kubeconfigPath, "--port", "0"];
    const keep = await runCli([...base, "--keep-previews"], { env });
    expect(keep.code).toBe(64);
    expect(keep.stderr).toContain("--keep-previews needs --deploy-previews");
    const ttl = await runCli([...base, "--deploy-previews", "--keep-previews", "--preview-ttl", "0"], { env });
    expect(ttl.code).toBe(64);
    expect(ttl.stderr).toContain("--preview-ttl 0 is not a number of hours");
  });

  it("after SIGKILL mid-run, a restart finds the run in the cluster and finishes it without a second Job", async () => {
    const first = await serve("replica-k");
    const sent = await simulate(first.url, 71);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ kind: "DeliveryAnswer", status: 202 });
    await waitForPod(71);
    first.cli.child.kill("SIGKILL");
    await first.cli.done;
    const jobsBefore = cluster.requests.count({ verb: "create", resource: "jobs", status: 201 });

    const second = await serve("replica-k");
    await second.logLine((line) => line["msg"] === "resuming a delivery");
    await second.logLine((line) => String(line["msg"]).startsWith("run followed"));
    const pod = pods.get("71")!;
    pod.log(["done"]);
    pod.exit(0);
    const finished = await second.logLine((line) => line["msg"] === "run finished");
    expect(finished["status"]).toBe("succeeded");
    expect(cluster.requests.count({ verb: "create", resource: "jobs", status: 201 })).toBe(jobsBefore);
    // The PR is told: pending when the run was accepted, success from the replica that finished it.
    await until(
      async () => github.statuses("octo/widgets", HEAD_SHA).some((status) => status.state === "success"),
      "the run's success status on the PR's head",
    );
    expect(github.statuses("octo/widgets", HEAD_SHA)[0]?.state).toBe("pending");
    second.cli.child.kill("SIGTERM");
    expect((await second.cli.done).code).toBe(0);
    await until(async () => !(await runObjects()).some((o) => o.startsWith("Secret/")), "the run's Secret to go");
  }, 120_000);

  it("another replica takes over the run of one killed for good once its lease runs out, following its Job", async () => {
    const gone = await serve("replica-gone", ["--lease", "2"]);
    const sent = await simulate(gone.url, 72);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ kind: "DeliveryAnswer", status: 202 });
    await waitForPod(72);
    gone.cli.child.kill("SIGKILL"); // and never started again
    await gone.cli.done;
    const jobsBefore = cluster.requests.count({ verb: "create", resource: "jobs", status: 201 });

    const other = await serve("replica-other", ["--lease", "2"]);
    const taken = await other.logLine((line) => line["msg"] === "took over a delivery of a replica gone for good");
    expect(taken["from"]).toBe("replica-gone");
    await other.logLine((line) => String(line["msg"]).startsWith("run followed"));
    const pod = pods.get("72")!;
    pod.log(["done"]);
    pod.exit(0);
    const finished = await other.logLine((line) => line["msg"] === "run finished");
    expect(finished["status"]).toBe("succeeded");
    expect(cluster.requests.count({ verb: "create", resource: "jobs", status: 201 })).toBe(jobsBefore);
    other.cli.child.kill("SIGTERM");
    expect((await other.cli.done).code).toBe(0);
    await until(async () => !(await runObjects()).some((o) => o.startsWith("Secret/")), "the run's Secret to go");
  }, 120_000);

  it("on SIGTERM aborts a run that outlives the grace, cleans it up, and exits 0", async () => {
    const server = await serve("replica-t", ["--shutdown-grace", "1"]);
    await simulate(server.url, 72);
    await waitForPod(72);
    await server.logLine((line) => line["msg"] === "run started");
    server.cli.child.kill("SIGTERM");
    const result = await server.cli.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/run handed back for the next start/);
    await until(async () => !(await runObjects()).some((o) => o.startsWith("Secret/")), "the run's Secret to go");
  }, 120_000);
});
