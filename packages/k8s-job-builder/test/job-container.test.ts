// The Job exactly as built, run the way a kubelet would: its env resolved (values, the token from the
// Secret pat-secret builds, the namespace from the fieldRef), its mount paths remapped to host folders, its
// command run as `busybox sh -c <args[0]>`, against a real git server that demands the token.
import type { V1EnvVar, V1Job, V1Secret } from "@kubernetes/client-node";
import { buildTokenSecret } from "@pr-pod/pat-secret";
import type { PullRequestContext } from "@pr-pod/pr-context";
import { startTestGitServer, type TestGitServer } from "@pr-pod/test-git-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrPodResources, TERMINATION_MESSAGE_PATH, WORKSPACE_MOUNT_PATH } from "../src/index.ts";
import { createHarness, type Harness } from "./pod-script-harness.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";

let server: TestGitServer;
let harness: Harness;
beforeAll(async () => {
  server = await startTestGitServer({ token: TOKEN });
  harness = await createHarness();
});
afterAll(async () => {
  await server?.close();
  await harness?.cleanup();
});

function resolveEnv(job: V1Job, secret: V1Secret, namespace: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of job.spec!.template.spec!.containers[0]!.env as V1EnvVar[]) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef) {
      const ref = variable.valueFrom.secretKeyRef;
      expect(ref.name).toBe(secret.metadata!.name);
      env[variable.name] = Buffer.from(secret.data![ref.key]!, "base64").toString("utf8");
    } else if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") env[variable.name] = namespace;
    else throw new Error(`unexpected env source for ${variable.name}`);
  }
  return env;
}

describe("the Job as built", () => {
  it("clones, verifies and reports when its container runs as a kubelet would run it", async () => {
    let head = "";
    await server.createRepo("acme/shop", async (r) => {
      await r.commit({ "package.json": "{}\n", "README.md": "# shop\n", Dockerfile: "FROM scratch\n" });
      head = await r.commit({ "src/app.js": "1\n" }, { branch: "feature", from: "main" });
      await r.pullRequest(3, head);
    });
    const context: PullRequestContext = {
      owner: "acme",
      repo: "shop",
      number: 3,
      title: "t",
      author: "a",
      headSha: head,
      headRef: "feature",
      headCloneUrl: server.repoUrl("acme/shop"),
      baseRef: "main",
      baseCloneUrl: server.repoUrl("acme/shop"),
      mergeRef: "refs/pull/3/merge",
      isFork: false,
      draft: false,
      state: "open",
      source: "offline",
    };
    const resources = buildPrPodResources(context, { namespace: "ci", checkout: "merge", build: false });
    const secret = buildTokenSecret(context, TOKEN, { namespace: "ci" });
    const container = resources.job.spec!.template.spec!.containers[0]!;
    expect(container.command).toEqual(["/bin/sh", "-c"]);
    const env = resolveEnv(resources.job, secret, "ci");
    // The host runtime remaps these two (mount path and terminationMessagePath) to host folders.
    expect(env.PR_POD_WORKSPACE).toBe(WORKSPACE_MOUNT_PATH);
    expect(env.PR_POD_TERMINATION_LOG).toBe(TERMINATION_MESSAGE_PATH);
    delete env.PR_POD_WORKSPACE;
    delete env.PR_POD_TERMINATION_LOG;

    const run = await harness.run({ script: container.args![0]!, env });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.report).toMatchObject({ ok: true, checkout: "merge", headSha: head, repo: "acme/shop", pr: 3 });
    expect(run.log).not.toContain(TOKEN);
  });
});
