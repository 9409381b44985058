// runPrPod against the test cluster with the scripted runtime: the pod does what each test says,
// the API server, watches, log streams, job controller and garbage collector are the cluster's.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BatchV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type ScriptedPod, startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupPrPods, listPrPodRuns, type RunEvent, RunnerError, runPrPod } from "../src/index.ts";
import {
  collect,
  finishLikeThePodScript,
  leftovers,
  offlinePullRequest,
  successReport,
  TEST_TOKEN,
} from "./run-helpers.ts";

let cluster: TestCluster;
/** What the pod of each PR number does, set by each test before its run. */
const podScripts = new Map<string, (pod: ScriptedPod) => void | Promise<void>>();

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["runs"], bookmarkIntervalMs: 200 });
  cluster.runtime.onPod((pod) => podScripts.get(pod.object.metadata?.labels?.["pr-pod.dev/pr"] ?? "")?.(pod));
});
afterAll(async () => {
  await cluster?.close();
});

/** A fresh PR whose pod runs `script`. */
function prWith(script: (pod: ScriptedPod) => void | Promise<void>, overrides: { pr?: number } = {}) {
  const pullRequest = offlinePullRequest(overrides);
  if (pullRequest.kind === "offline") podScripts.set(String(pullRequest.pr), script);
  return pullRequest;
}

const base = () => ({ kubeConfig: cluster.kubeConfig, namespace: "runs", token: TEST_TOKEN, noConfigFile: true });

const types = (events: RunEvent[]) =>
  events.map((event) => event.type).filter((type, i, all) => type !== "log-line" || all[i - 1] !== "log-line");

describe("runPrPod with a scripted pod", () => {
  it("runs, streams the log redacted and in order, reads the report, and leaves nothing behind", async () => {
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["cloning", `token is ${TEST_TOKEN}`, "building"]);
    });
    cluster.requests.clear();
    const run = runPrPod({ ...base(), pullRequest });
    const events = await collect(run);
    const result = await run.result;

    expect(result).toMatchObject({ status: "succeeded", reason: "Completed", exitCode: 0, namespace: "runs" });
    expect(result.report).toMatchObject({ version: 1, ok: true });
    expect(types(events)).toEqual([
      "resolved-context",
      "token-loaded",
      "preflight",
      "created",
      "created",
      "created",
      "created",
      "created",
      "pod-scheduled",
      "log-line",
      "report",
      "finished",
      "cleaned-up",
    ]);
    const created = events.flatMap((e) => (e.type === "created" ? [e.kind] : []));
    expect(created).toEqual(["Job", "Secret", "ServiceAccount", "Role", "RoleBinding"]);
    const lines = events.flatMap((e) => (e.type === "log-line" ? [e.line] : []));
    expect(lines.slice(0, 3)).toEqual(["cloning", "token is ***", "building"]);
    expect(JSON.stringify(events)).not.toContain(TEST_TOKEN);

    // The API calls of a plain run, so a regression in calls shows up (objects created + 4 besides the
    // log stream and the watches): one create per object, the Job's unsuspend patch, its delete (the
    // garbage collector takes the rest), ONE rules review as the preflight, and the read of the
    // cluster's local-registry-hosting ConfigMap (KEP-1755; 404 here), made while the PR is resolved.
    const counters = cluster.requests.counters();
    const isStream = (key: string) => key.startsWith("watch ") || key === "get pods/log";
    const rest = Object.entries(counters).filter(([key]) => !isStream(key));
    expect(Object.fromEntries(rest)).toEqual({
      "create selfsubjectrulesreviews": 1,
      "get configmaps": 1,
      "create jobs": 1,
      "create secrets": 1,
      "create serviceaccounts": 1,
      "create roles": 1,
      "create rolebindings": 1,
      "patch jobs": 1,
      "delete jobs": 1,
    });
    expect(rest.reduce((sum, [, count]) => sum + count, 0)).toBe(created.length + 4);
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("falls back to one access review per permission on a server without rules reviews", async () => {
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["built"]);
    });
    cluster.requests.clear();
    cluster.faults.failNext({ status: 404, match: { resource: "selfsubjectrulesreviews" } });
    const run = runPrPod({ ...base(), pullRequest });
    await collect(run);
    expect(await run.result).toMatchObject({ status: "succeeded" });
    const counters = cluster.requests.counters();
    // The 404 rules review, then 25 access reviews (every permission a run with builds needs),
    // then the same 7 object calls as above and the local-registry-hosting read.
    expect(counters["create selfsubjectrulesreviews"]).toBe(1);
    expect(counters["create selfsubjectaccessreviews"]).toBe(25);
    const rest = Object.entries(counters).filter(
      ([key]) => !key.startsWith("watch ") && key !== "get pods/log" && !key.includes("selfsubject"),
    );
    expect(rest.reduce((sum, [, count]) => sum + count, 0)).toBe(8);
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("keeps exactly the run's objects with keep: true, and cleanupPrPods removes them by label", async () => {
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["kept"]);
    });
    const run = runPrPod({ ...base(), pullRequest, keep: true });
    const events = await collect(run);
    const result = await run.result;
    expect(result.status).toBe("succeeded");
    expect(events.some((e) => e.type === "cleaned-up")).toBe(false);
    const name = result.jobName;
    const left = await leftovers(cluster.kubeConfig, "runs");
    expect(left.filter((o) => !o.startsWith("Pod/"))).toEqual(
      [`Job/${name}`, `Role/${name}`, `RoleBinding/${name}`, `Secret/${name}-token`, `ServiceAccount/${name}`].sort(),
    );
    expect(left.filter((o) => o.startsWith("Pod/"))).toHaveLength(1);

    const runs = await listPrPodRuns(cluster.kubeConfig, { namespace: "runs" });
    expect(runs).toContainEqual(
      expect.objectContaining({
        jobName: name,
        repo: "octo/widgets",
        status: "succeeded",
        headSha: result.context.headSha,
      }),
    );

    const deleted = await cleanupPrPods(cluster.kubeConfig, {
      namespace: "runs",
      selector: { owner: "octo", repo: "widgets", number: result.context.number },
    });
    expect(deleted.map((o) => o.kind).sort()).toEqual(["Job", "Role", "RoleBinding", "Secret", "ServiceAccount"]);
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("replaces a finished earlier run of the same PR and SHA instead of failing on AlreadyExists", async () => {
    const script = (pod: ScriptedPod) => {
      pod.start();
      finishLikeThePodScript(pod, ["again"]);
    };
    const first = await runPrPod({ ...base(), pullRequest: prWith(script, { pr: 7001 }), keep: true }).result;
    expect(first.status).toBe("succeeded");
    const second = runPrPod({ ...base(), pullRequest: prWith(script, { pr: 7001 }) });
    const events = await collect(second);
    expect((await second.result).status).toBe("succeeded");
    expect(events.filter((e) => e.type === "created")).toHaveLength(5);
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("completes when the API server answers 503 three times first", async () => {
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["ok"]);
    });
    cluster.requests.clear();
    cluster.faults.failNext({
      status: 503,
      count: 3,
      retryAfterSeconds: 0,
      match: { verb: "create", resource: "jobs" },
    });
    const run = runPrPod({ ...base(), pullRequest, retry: { baseDelayMs: 1 } });
    await collect(run);
    expect((await run.result).status).toBe("succeeded");
    expect(cluster.requests.list({ verb: "create", resource: "jobs" }).map((r) => r.status)).toEqual([
      503, 503, 503, 201,
    ]);
  });

  it("says RETRY_BUDGET_EXHAUSTED, naming the call, when 503s outlast the budget, and leaves nothing", async () => {
    const pullRequest = prWith(() => {});
    cluster.faults.failNext({
      status: 503,
      count: 3,
      retryAfterSeconds: 0,
      match: { verb: "create", resource: "roles" },
    });
    const run = runPrPod({ ...base(), pullRequest, retry: { attempts: 3, baseDelayMs: 1 } });
    await expect(run.result).rejects.toMatchObject({
      code: "RETRY_BUDGET_EXHAUSTED",
      message: expect.stringContaining("create Role runs/"),
    });
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("fails with ErrImagePull as soon as the pod reports it, with no log to wait for", async () => {
    const pullRequest = prWith((pod) => {
      pod.waiting("ErrImagePull", 'failed to pull and unpack image "docker.io/library/nope:1": not found');
    });
    const run = runPrPod({ ...base(), pullRequest, image: "nope:1" });
    const events = await collect(run);
    const result = await run.result;
    expect(result).toMatchObject({ status: "failed", reason: "ErrImagePull" });
    expect(result.message).toContain("nope:1");
    expect(result.exitCode).toBeUndefined();
    expect(types(events).slice(-2)).toEqual(["finished", "cleaned-up"]);
    expect(events.some((e) => e.type === "log-line")).toBe(false);
  });

  it("reports the pod's failure with the report's own words", async () => {
    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["verifying"], {
        version: 1,
        ok: false,
        exitCode: 14,
        stage: "verify",
        error: "required files are missing: Dockerfile",
        files: { found: ["package.json"], missing: ["Dockerfile"], optionalFound: [], optionalMissing: [] },
        durationsMs: {},
      });
    });
    const result = await runPrPod({ ...base(), pullRequest }).result;
    expect(result).toMatchObject({ status: "failed", reason: "BackoffLimitExceeded", exitCode: 14 });
    expect(result.message).toContain("missing required files: Dockerfile");
  });

  it("deletes everything it created when aborted mid-run, and ends as aborted", async () => {
    const controller = new AbortController();
    const pullRequest = prWith((pod) => {
      pod.start();
      pod.log(["working", "still working"]);
    });
    const run = runPrPod({ ...base(), pullRequest, signal: controller.signal });
    const events: RunEvent[] = [];
    for await (const event of run) {
      events.push(event);
      if (event.type === "log-line") controller.abort(new Error("Ctrl-C"));
    }
    const result = await run.result;
    expect(result).toMatchObject({ status: "aborted", reason: "Aborted" });
    expect(result.message).toContain("Ctrl-C");
    const cleaned = events.find((e) => e.type === "cleaned-up");
    expect(cleaned?.type === "cleaned-up" && cleaned.deleted.map((o) => o.kind)).toEqual([
      "Job",
      "Secret",
      "ServiceAccount",
      "Role",
      "RoleBinding",
    ]);
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("says NAMESPACE_NOT_FOUND and creates nothing when the namespace is missing; creates it when asked", async () => {
    cluster.requests.clear();
    const missing = runPrPod({ ...base(), namespace: "nowhere", pullRequest: prWith(() => {}) });
    await expect(missing.result).rejects.toMatchObject({
      code: "NAMESPACE_NOT_FOUND",
      message: expect.stringContaining('namespace "nowhere"'),
    });
    expect(
      cluster.requests.list({ verb: "create" }).filter((r) => r.status < 300 && !r.resource.startsWith("selfsubject")),
    ).toEqual([]);

    const pullRequest = prWith((pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["fresh namespace"]);
    });
    const run = runPrPod({ ...base(), namespace: "made-by-run", createNamespace: true, pullRequest });
    const events = await collect(run);
    expect((await run.result).status).toBe("succeeded");
    expect(events.find((e) => e.type === "created")).toMatchObject({ kind: "Namespace", name: "made-by-run" });
  });

  it("takes options over the config file over defaults, and makes no Role without builds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "runner-config-"));
    try {
      await writeFile(
        path.join(dir, "pr-pod.config.yaml"),
        "image: busybox:from-config\nbuild: false\ntimeoutSeconds: 600\n",
      );
      const pullRequest = prWith((pod) => {
        pod.start();
        finishLikeThePodScript(pod, ["configured"]);
      });
      const run = runPrPod({
        ...base(),
        noConfigFile: false,
        configSearchDirs: [dir],
        pullRequest,
        image: "busybox:from-option",
        keep: true,
      });
      const events = await collect(run);
      const result = await run.result;
      expect(result.status).toBe("succeeded");
      expect(events.flatMap((e) => (e.type === "created" ? [e.kind] : []))).toEqual([
        "Job",
        "Secret",
        "ServiceAccount",
      ]);
      const job = await cluster.kubeConfig
        .makeApiClient(BatchV1Api)
        .readNamespacedJob({ namespace: "runs", name: result.jobName });
      expect(job.spec?.template.spec?.containers[0]?.image).toBe("busybox:from-option");
      expect(job.spec?.activeDeadlineSeconds).toBe(600);
      await cleanupPrPods(cluster.kubeConfig, { namespace: "runs" });
      await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives a fork's pod no token unless allowForkToken", async () => {
    const pullRequest = offlinePullRequest();
    if (pullRequest.kind !== "offline") throw new Error("offline expected");
    pullRequest.headRepo = "someone-else/widgets";
    podScripts.set(String(pullRequest.pr), (pod) => {
      pod.start();
      finishLikeThePodScript(pod, ["fork"]);
    });
    const run = runPrPod({ ...base(), pullRequest, keep: true });
    const events = await collect(run);
    const result = await run.result;
    expect(result.context.isFork).toBe(true);
    expect(events.flatMap((e) => (e.type === "created" ? [e.kind] : []))).not.toContain("Secret");
    const job = await cluster.kubeConfig
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({ namespace: "runs", name: result.jobName });
    expect(job.spec?.template.spec?.containers[0]?.env?.map((env) => env.name)).not.toContain("PR_POD_GIT_TOKEN");
    await cleanupPrPods(cluster.kubeConfig, { namespace: "runs" });
    await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
  });

  it("warns once when the pod would send the token over plain http off this machine, not for a fork without it", async () => {
    const warningsFor = async (change: (pullRequest: { cloneUrl?: string; headRepo?: string }) => void) => {
      const pullRequest = prWith((pod) => {
        pod.start();
        finishLikeThePodScript(pod, ["cloning"]);
      });
      if (pullRequest.kind !== "offline") throw new Error("offline expected");
      change(pullRequest);
      const run = runPrPod({ ...base(), pullRequest });
      const events = await collect(run);
      expect((await run.result).status).toBe("succeeded");
      return events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    };
    const plain = await warningsFor((pr) => {
      pr.cloneUrl = "http://git.internal:8090/octo/widgets.git";
    });
    expect(plain).toHaveLength(1);
    expect(plain[0]).toContain("plain HTTP to git.internal:8090");
    expect(
      await warningsFor((pr) => {
        pr.cloneUrl = "http://127.0.0.1:8090/octo/widgets.git";
      }),
    ).toEqual([]);
    expect(
      await warningsFor((pr) => {
        pr.cloneUrl = "http://git.internal:8090/octo/widgets.git";
        pr.headRepo = "someone-else/widgets";
      }),
    ).toEqual([]);
  });

  it("takes the pod's duration from the script's own measure, and gives none from one-second timestamps", async () => {
    const measured = successReport();
    measured.durationsMs = { clone: 300, total: 734 };
    const withReport = runPrPod({
      ...base(),
      pullRequest: prWith((pod) => {
        pod.start();
        finishLikeThePodScript(pod, ["quick"], measured);
      }),
    });
    await collect(withReport);
    expect((await withReport.result).durationsMs.pod).toBe(734);

    // No report: the container's startedAt/finishedAt (whole seconds, as a real API server writes them)
    // cannot time a pod that ran for a fraction of a second.
    const withoutReport = runPrPod({
      ...base(),
      pullRequest: prWith((pod) => {
        pod.start();
        pod.log(["no report"]);
        pod.exit(0);
      }),
    });
    await collect(withoutReport);
    const result = await withoutReport.result;
    expect(result.durationsMs.pod).toBeUndefined();
    expect(result.durationsMs.total).toBeGreaterThan(0);
  });

  it("says CLUSTER_UNREACHABLE with the server address when nothing answers", async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "gone", server: "https://127.0.0.1:9", skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "gone", user: "u" }],
      currentContext: "c",
    });
    const run = runPrPod({
      ...base(),
      kubeConfig,
      pullRequest: prWith(() => {}),
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const error = await run.result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunnerError);
    expect(error).toMatchObject({
      code: "CLUSTER_UNREACHABLE",
      message: expect.stringContaining("https://127.0.0.1:9"),
    });
  });
});

describe("preflight with missing permissions", () => {
  it("names every missing permission in one error and creates nothing", async () => {
    const limited = await startTestCluster({
      limitedToken: {
        deny: [
          { verb: "create", resource: "roles" },
          { verb: "delete", resource: "jobs" },
          { verb: "get", resource: "pods/log" },
        ],
      },
    });
    try {
      const run = runPrPod({
        ...base(),
        namespace: "default",
        kubeConfig: limited.kubeConfigFor(limited.tokens.limited),
        pullRequest: offlinePullRequest(),
      });
      const error = (await run.result.catch((caught: unknown) => caught)) as RunnerError;
      expect(error.code).toBe("FORBIDDEN");
      expect(error.missingPermissions).toEqual([
        "create roles.rbac.authorization.k8s.io in namespace default",
        "delete jobs.batch in namespace default",
        "get pods/log in namespace default",
      ]);
      for (const line of error.missingPermissions ?? []) expect(error.message).toContain(line);
      // One rules review; only what it does not grant is confirmed by an access review each: the 3
      // denied permissions and the 1 the pod's Role needs on a subresource the test cluster does not
      // serve (create pods/exec), which its rules cannot list. Nothing else is created.
      const creates = limited.requests.list({ verb: "create" });
      expect(creates.filter((r) => r.resource === "selfsubjectrulesreviews").map((r) => r.status)).toEqual([201]);
      expect(creates.filter((r) => r.resource === "selfsubjectaccessreviews")).toHaveLength(3 + 1);
      expect(creates.filter((r) => !r.resource.startsWith("selfsubject"))).toEqual([]);
    } finally {
      await limited.close();
    }
  });
});

describe("cleanupPrPods without permission to list ConfigMaps", () => {
  it("still deletes the rest (local-changes ConfigMaps go with their Job)", async () => {
    const limited = await startTestCluster({
      namespaces: ["runs"],
      limitedToken: { deny: [{ verb: "list", resource: "configmaps" }] },
    });
    try {
      const core = limited.kubeConfig.makeApiClient(CoreV1Api);
      const labels = { "app.kubernetes.io/managed-by": "pr-pod", "pr-pod.dev/pr": "5" };
      await core.createNamespacedServiceAccount({ namespace: "runs", body: { metadata: { name: "left", labels } } });
      const deleted = await cleanupPrPods(limited.kubeConfigFor(limited.tokens.limited), { namespace: "runs" });
      expect(deleted).toEqual([{ kind: "ServiceAccount", name: "left", namespace: "runs" }]);
    } finally {
      await limited.close();
    }
  });
});
