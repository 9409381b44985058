// The run's objects after the Job (token Secret, ServiceAccount, Role, RoleBinding) are created at
// once, not one after another: one round trip on the run's critical path instead of four. Pinned
// without clocks: when one of those creates is refused, the others were sent all the same (one after
// another, nothing after the refused one would be), they are reported, and the failed run still
// leaves nothing behind.
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunEvent, runPrPod } from "../src/index.ts";
import { leftovers, offlinePullRequest, TEST_TOKEN } from "./run-helpers.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["runs"] });
  // No pod may start: the run fails before the Job is let go.
  cluster.runtime.onPod(() => {
    throw new Error("the Job started although one of its objects was not created");
  });
});
afterAll(async () => {
  await cluster?.close();
});

it("sends every dependent's create at once, reports those made, and cleans up when one is refused", async () => {
  cluster.requests.clear();
  cluster.faults.failNext({
    status: 403,
    match: { verb: "create", resource: "serviceaccounts" },
    message: 'serviceaccounts is forbidden: User "dev" cannot create resource "serviceaccounts"',
  });
  const run = runPrPod({
    kubeConfig: cluster.kubeConfig,
    namespace: "runs",
    token: TEST_TOKEN,
    noConfigFile: true,
    pullRequest: offlinePullRequest({ pr: 61 }),
  });
  const events: RunEvent[] = [];
  const refused = { code: "FORBIDDEN", message: expect.stringContaining("serviceaccounts is forbidden") };
  await expect(
    (async () => {
      for await (const event of run) events.push(event);
    })(),
  ).rejects.toMatchObject(refused);
  await expect(run.result).rejects.toMatchObject(refused);
  // The ServiceAccount's create was refused; the Role's and RoleBinding's, which come after it in the
  // plan, were sent anyway (and the Secret's before it), so all four went out together.
  const creates = cluster.requests.list({ verb: "create" }).map((request) => request.resource);
  expect(creates).toEqual(expect.arrayContaining(["jobs", "secrets", "serviceaccounts", "roles", "rolebindings"]));
  // Those made are reported in the plan's order, so a caller knows what existed.
  expect(events.flatMap((event) => (event.type === "created" ? [event.kind] : []))).toEqual([
    "Job",
    "Secret",
    "Role",
    "RoleBinding",
  ]);
  expect(cluster.requests.count({ verb: "patch", resource: "jobs" })).toBe(0);
  await expect.poll(() => leftovers(cluster.kubeConfig, "runs"), { timeout: 10_000 }).toEqual([]);
});
