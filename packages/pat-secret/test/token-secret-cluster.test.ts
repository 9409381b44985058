// The cluster-facing calls against @pr-pod/test-cluster, an in-process API server that validates
// objects with Kubernetes' own rules and runs a garbage collector for ownerReferences.
import { BatchV1Api, CoreV1Api } from "@kubernetes/client-node";
import { prPodSelector } from "@pr-pod/pr-context";
import { startTestCluster, type TestCluster } from "@pr-pod/test-cluster";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildTokenSecret,
  createTokenSecret,
  deleteTokenSecret,
  PatSecretError,
  setTokenSecretOwner,
  TOKEN_SECRET_KEY,
  tokenSecretName,
} from "../src/index.ts";
import { sampleContext } from "./fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
let cluster: TestCluster;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["ci"] });
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await cluster?.close();
});

async function failure(promise: Promise<unknown>): Promise<PatSecretError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PatSecretError);
  expect((error as Error).message).not.toContain(TOKEN);
  return error as PatSecretError;
}

/** Polls a condition until it holds or the deadline passes (the garbage collector works asynchronously). */
async function eventually(condition: () => Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("createTokenSecret", () => {
  it("stores the token immutably under data.token, labelled for the run, and returns no data", async () => {
    const context = sampleContext({ number: 101 });
    const created = await createTokenSecret(cluster.kubeConfig, buildTokenSecret(context, TOKEN, { namespace: "ci" }));
    expect(created).toEqual({ name: tokenSecretName(context), namespace: "ci", uid: expect.any(String) });
    const stored = await core.readNamespacedSecret({ namespace: "ci", name: created.name });
    expect(Buffer.from(stored.data![TOKEN_SECRET_KEY]!, "base64").toString()).toBe(TOKEN);
    expect(stored.immutable).toBe(true);
    expect(stored.type).toBe("Opaque");
    const listed = await core.listNamespacedSecret({ namespace: "ci", labelSelector: prPodSelector({ number: 101 }) });
    expect(listed.items.map((s) => s.metadata?.name)).toEqual([created.name]);
  });

  it("says a second run for the same PR and commit collides, and how to clear it", async () => {
    const secret = buildTokenSecret(sampleContext({ number: 102 }), TOKEN, { namespace: "ci" });
    await createTokenSecret(cluster.kubeConfig, secret);
    const error = await failure(createTokenSecret(cluster.kubeConfig, secret));
    expect(error.code).toBe("SECRET_EXISTS");
    expect(error.message).toContain(`kubectl delete secret ${secret.metadata!.name} -n ci`);
  });

  it("names a missing namespace", async () => {
    const error = await failure(
      createTokenSecret(cluster.kubeConfig, buildTokenSecret(sampleContext(), TOKEN, { namespace: "nowhere" })),
    );
    expect(error.code).toBe("NAMESPACE_NOT_FOUND");
    expect(error.message).toContain("kubectl create namespace nowhere");
  });

  it("explains a user who may not create secrets", async () => {
    const limited = cluster.kubeConfigFor(cluster.tokens.limited);
    const error = await failure(
      createTokenSecret(limited, buildTokenSecret(sampleContext({ number: 103 }), TOKEN, { namespace: "ci" })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("kubectl auth can-i create secrets -n ci");
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      createTokenSecret(
        cluster.kubeConfig,
        buildTokenSecret(sampleContext({ number: 104 }), TOKEN, { namespace: "ci" }),
        {
          signal: controller.signal,
        },
      ),
    );
    expect(error.code).toBe("ABORTED");
  });

  it("the API server accepts the Secret for any repo, branch and PR", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          owner: fc.string({ unit: "grapheme", maxLength: 60 }),
          repo: fc.oneof(
            fc.string({ unit: "grapheme", maxLength: 120 }),
            fc.constantFrom("", "🚀", ".github", "a".repeat(100)),
          ),
          number: fc.integer({ min: 1, max: 2_147_483_647 }),
          headSha: fc.stringMatching(/^[0-9a-f]{40}$/),
          headRef: fc.string({ maxLength: 300 }),
        }),
        async (fields) => {
          const secret = buildTokenSecret(sampleContext(fields), TOKEN, { namespace: "ci" });
          try {
            await createTokenSecret(cluster.kubeConfig, secret);
          } catch (error) {
            if ((error as PatSecretError).code !== "SECRET_EXISTS") throw error;
          }
          const listed = await core.listNamespacedSecret({
            namespace: "ci",
            labelSelector: prPodSelector({ owner: fields.owner, repo: fields.repo, number: fields.number }),
          });
          expect(listed.items.map((s) => s.metadata?.name)).toContain(secret.metadata!.name);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("setTokenSecretOwner and deleteTokenSecret", () => {
  it("makes the Job the Secret's owner, so deleting the Job deletes the Secret", async () => {
    const context = sampleContext({ number: 201 });
    const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
    const secret = await createTokenSecret(cluster.kubeConfig, buildTokenSecret(context, TOKEN, { namespace: "ci" }));
    const job = await batch.createNamespacedJob({
      namespace: "ci",
      body: {
        metadata: { name: `owner-test-201` },
        spec: {
          suspend: true,
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "main", image: "docker:24-git", command: ["true"] }] },
          },
        },
      },
    });
    await setTokenSecretOwner(cluster.kubeConfig, {
      namespace: "ci",
      name: secret.name,
      job: { name: job.metadata!.name!, uid: job.metadata!.uid! },
    });
    const owned = await core.readNamespacedSecret({ namespace: "ci", name: secret.name });
    expect(owned.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ apiVersion: "batch/v1", kind: "Job", name: "owner-test-201", uid: job.metadata!.uid }),
    ]);
    expect(Buffer.from(owned.data![TOKEN_SECRET_KEY]!, "base64").toString()).toBe(TOKEN);
    await batch.deleteNamespacedJob({ namespace: "ci", name: "owner-test-201", propagationPolicy: "Background" });
    await eventually(
      async () =>
        (await core.listNamespacedSecret({ namespace: "ci" })).items.every((s) => s.metadata?.name !== secret.name),
      "the garbage collector deletes the owned Secret",
    );
  });

  it("reports a missing Secret when setting the owner", async () => {
    const error = await failure(
      setTokenSecretOwner(cluster.kubeConfig, {
        namespace: "ci",
        name: "no-such-secret",
        job: { name: "j", uid: "u" },
      }),
    );
    expect(error.code).toBe("SECRET_NOT_FOUND");
  });

  it("deletes the Secret, and treats an already deleted one as done", async () => {
    const context = sampleContext({ number: 202 });
    const { name } = await createTokenSecret(cluster.kubeConfig, buildTokenSecret(context, TOKEN, { namespace: "ci" }));
    expect(await deleteTokenSecret(cluster.kubeConfig, { namespace: "ci", name })).toBe(true);
    expect(await deleteTokenSecret(cluster.kubeConfig, { namespace: "ci", name })).toBe(false);
    const limited = cluster.kubeConfigFor(cluster.tokens.limited);
    expect((await failure(deleteTokenSecret(limited, { namespace: "ci", name }))).code).toBe("FORBIDDEN");
  });
});
