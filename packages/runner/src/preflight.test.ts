// The preflight against a small real HTTP server that answers reviews the way a real API server with
// rules reviews does (the test cluster serves none): one rules review settles a granted run; what it
// does not grant is confirmed per permission with access reviews.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { checkPermissions, checkRunPermissions, missingPermissionsError } from "./preflight.ts";
import { describePermission, requiredPermissions } from "./required-permissions.ts";
import { RunCluster } from "./run-cluster.ts";

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose rules review grants `rules`, and whose access reviews deny `denied` ("verb resource"). */
async function reviewServer(rules: unknown[], denied: string[]) {
  const requests: string[] = [];
  const listening = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const parsed = JSON.parse(body || "{}");
      requests.push(request.url ?? "");
      response.setHeader("Content-Type", "application/json");
      if (request.url?.endsWith("/selfsubjectrulesreviews")) {
        response.end(
          JSON.stringify({ ...parsed, status: { resourceRules: rules, nonResourceRules: [], incomplete: false } }),
        );
      } else {
        const attributes = parsed.spec.resourceAttributes;
        const key = `${attributes.verb} ${attributes.resource}${attributes.subresource ? `/${attributes.subresource}` : ""}`;
        response.end(JSON.stringify({ ...parsed, status: { allowed: !denied.includes(key) } }));
      }
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const { port } = listening.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return { cluster: new RunCluster(kubeConfig), requests };
}

const required = requiredPermissions({
  namespace: "ci",
  createNamespace: false,
  roleRules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }],
});

describe("checkPermissions", () => {
  it("needs one request when the rules review grants everything", async () => {
    const { cluster, requests } = await reviewServer([{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], []);
    const check = await checkPermissions(cluster, "ci", required);
    expect(check).toEqual({ missing: [], method: "rules-review", requests: 1 });
    expect(requests).toHaveLength(1);
  });

  it("confirms only what the rules do not grant, and reports what the access reviews deny", async () => {
    const { cluster, requests } = await reviewServer(
      [
        { verbs: ["*"], apiGroups: ["", "batch"], resources: ["*"] },
        { verbs: ["create", "delete"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"] },
      ],
      ["create roles", "create deployments"],
    );
    const check = await checkPermissions(cluster, "ci", required);
    expect(check.missing.map(describePermission)).toEqual([
      "create roles.rbac.authorization.k8s.io in namespace ci",
      "create deployments.apps in namespace ci",
    ]);
    expect(requests.filter((url) => url.endsWith("selfsubjectaccessreviews"))).toHaveLength(3); // roles create+delete, deployments
    const error = missingPermissionsError(check.missing, "ci");
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("lack 2 permissions a run needs (nothing was created)");
  });
});

describe("checkRunPermissions", () => {
  it("checks what a run with these options needs, from a kubeconfig, and names what is missing", async () => {
    const { cluster } = await reviewServer(
      [{ verbs: ["*"], apiGroups: ["", "batch"], resources: ["*"] }],
      ["create roles"],
    );
    const withBuilds = await checkRunPermissions(cluster.kubeConfig, { namespace: "ci" });
    expect(withBuilds.required.map(describePermission)).toContain("create deployments.apps in namespace ci");
    expect(withBuilds.missing.map(describePermission)).toEqual([
      "create roles.rbac.authorization.k8s.io in namespace ci",
    ]);
    const noBuilds = await checkRunPermissions(cluster.kubeConfig, {
      namespace: "ci",
      build: false,
      localChanges: true,
    });
    expect(noBuilds.required.map(describePermission)).not.toContain("create deployments.apps in namespace ci");
    expect(noBuilds.required.map(describePermission)).toContain("create configmaps in namespace ci");
  });
});
