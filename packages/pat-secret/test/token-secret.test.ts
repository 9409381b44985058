import { describe, expect, it } from "vitest";
import { buildTokenSecret, TOKEN_SECRET_KEY, tokenSecretName } from "../src/index.ts";
import { sampleContext } from "./fixtures.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";

describe("buildTokenSecret", () => {
  it("builds an immutable Opaque Secret named <run>-token with the token base64 under data.token", () => {
    const context = sampleContext();
    const secret = buildTokenSecret(context, TOKEN, { namespace: "ci" });
    expect(tokenSecretName(context)).toBe("pr-pod-hello-world-42-6dcb09b-token");
    expect(secret).toMatchObject({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      immutable: true,
      metadata: { name: "pr-pod-hello-world-42-6dcb09b-token", namespace: "ci" },
    });
    expect(TOKEN_SECRET_KEY).toBe("token");
    expect(Buffer.from(secret.data![TOKEN_SECRET_KEY]!, "base64").toString()).toBe(TOKEN);
    expect(secret.stringData).toBeUndefined();
    expect(JSON.stringify(secret)).not.toContain(TOKEN);
    expect(secret.metadata?.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "pr-pod",
      "app.kubernetes.io/instance": "pr-pod-hello-world-42-6dcb09b",
      "pr-pod.dev/pr": "42",
    });
    expect(secret.metadata?.ownerReferences).toBeUndefined();
  });

  it("points ownerReferences at the Job when one is given, so Kubernetes deletes it with the Job", () => {
    const secret = buildTokenSecret(sampleContext(), TOKEN, {
      namespace: "ci",
      ownerJob: { name: "pr-pod-hello-world-42-6dcb09b", uid: "0b1f-uid" },
    });
    expect(secret.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "batch/v1",
        kind: "Job",
        name: "pr-pod-hello-world-42-6dcb09b",
        uid: "0b1f-uid",
        controller: false,
      },
    ]);
  });

  it("names stay DNS-1123 labels within 63 characters for long and odd repo names", () => {
    for (const repo of ["x".repeat(100), "🚀", "...", "Some.Repo_Name"]) {
      const name = tokenSecretName(sampleContext({ repo }));
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });
});
