// ServiceAccount tokens from TokenRequest, judged by RBAC: what a preview's ServiceAccount bound
// inside its namespace may and may not do.
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../src/index.ts";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: ["preview", "other"] });
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: "preview", body: { metadata: { name: "deployer" } } });
  await rbac.createNamespacedRole({
    namespace: "preview",
    body: {
      metadata: { name: "deployer" },
      rules: [{ apiGroups: ["", "apps"], resources: ["configmaps", "deployments"], verbs: ["*"] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: "preview",
    body: {
      metadata: { name: "deployer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployer" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "preview" }],
    },
  });
});
afterAll(async () => {
  await cluster?.close();
});

async function tokenFor(name: string): Promise<string> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const answer = await core.createNamespacedServiceAccountToken({
    namespace: "preview",
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return answer.status?.token as string;
}

describe("a ServiceAccount token judged by RBAC", () => {
  it("may do what its RoleBinding grants in its namespace", async () => {
    const core = cluster.kubeConfigFor(await tokenFor("deployer")).makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: "preview",
      body: { metadata: { name: "settings" }, data: { a: "1" } },
    });
    expect(created.metadata?.name).toBe("settings");
    expect(cluster.requests.list({ resource: "configmaps", verb: "create", namespace: "preview" })[0]?.user).toBe(
      "system:serviceaccount:preview:deployer",
    );
  });

  it("is refused with the API server's 403 outside its namespace, for other resources and cluster-scoped objects", async () => {
    const config = cluster.kubeConfigFor(await tokenFor("deployer"));
    const core = config.makeApiClient(CoreV1Api);
    const rbac = config.makeApiClient(RbacAuthorizationV1Api);
    await expect(
      core.createNamespacedConfigMap({ namespace: "other", body: { metadata: { name: "x" } } }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(core.listNamespacedSecret({ namespace: "preview" })).rejects.toMatchObject({
      code: 403,
      body: expect.stringContaining(
        'secrets is forbidden: User \\"system:serviceaccount:preview:deployer\\" cannot list resource \\"secrets\\" in API group \\"\\" in the namespace \\"preview\\"',
      ),
    });
    await expect(rbac.createClusterRole({ body: { metadata: { name: "grab" }, rules: [] } })).rejects.toMatchObject({
      code: 403,
      body: expect.stringContaining(
        'clusterroles.rbac.authorization.k8s.io is forbidden: User \\"system:serviceaccount:preview:deployer\\" cannot create resource \\"clusterroles\\" in API group \\"rbac.authorization.k8s.io\\" at the cluster scope',
      ),
    });
  });

  it("stops authenticating once its ServiceAccount is deleted", async () => {
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: "preview", body: { metadata: { name: "shortlived" } } });
    const token = await tokenFor("shortlived");
    const own = cluster.kubeConfigFor(token).makeApiClient(CoreV1Api);
    await expect(own.listNamespacedConfigMap({ namespace: "preview" })).rejects.toMatchObject({ code: 403 });
    await core.deleteNamespacedServiceAccount({ namespace: "preview", name: "shortlived" });
    await expect(own.listNamespacedConfigMap({ namespace: "preview" })).rejects.toMatchObject({ code: 401 });
  });

  it("is refused a TokenRequest for a ServiceAccount that does not exist", async () => {
    await expect(tokenFor("nobody")).rejects.toMatchObject({ code: 404 });
  });
});
