import { describe, expect, it } from "vitest";
import { describePermission, requiredPermissions, rulesGrant } from "./required-permissions.ts";

describe("requiredPermissions", () => {
  it("lists what a run does in its namespace, plus what its Role grants", () => {
    const list = requiredPermissions({
      namespace: "ci",
      createNamespace: false,
      roleRules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete"] }],
    }).map(describePermission);
    expect(list).toContain("create secrets in namespace ci");
    expect(list).toContain("create roles.rbac.authorization.k8s.io in namespace ci");
    expect(list).toContain("get pods/log in namespace ci");
    expect(list).toContain("create deployments.apps in namespace ci");
    expect(list).not.toContain("create namespaces");
    expect(new Set(list).size).toBe(list.length);
  });

  it("asks for namespaces only when it may create one", () => {
    const list = requiredPermissions({ namespace: "ci", createNamespace: true }).map(describePermission);
    expect(list).toContain("create namespaces");
  });
});

describe("requiredPermissions with local changes", () => {
  it("adds create and delete configmaps in the namespace, and nothing without them", () => {
    const withChanges = requiredPermissions({ namespace: "ci", createNamespace: false, localChanges: true }).map(
      describePermission,
    );
    expect(withChanges).toContain("create configmaps in namespace ci");
    expect(withChanges).toContain("delete configmaps in namespace ci");
    const without = requiredPermissions({ namespace: "ci", createNamespace: false }).map(describePermission);
    expect(without.filter((p) => p.includes("configmaps"))).toEqual([]);
  });
});

describe("rulesGrant", () => {
  const permission = { verb: "get", group: "", resource: "pods", subresource: "log", namespace: "ci" };
  it("accepts wildcards and the exact subresource", () => {
    expect(rulesGrant([{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], permission)).toBe(true);
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }], permission)).toBe(true);
  });
  it("does not take a rule on the parent resource, or one limited to names, as a grant", () => {
    expect(rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], permission)).toBe(false);
    expect(
      rulesGrant([{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"], resourceNames: ["x"] }], permission),
    ).toBe(false);
  });
});
