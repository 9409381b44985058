// ServiceAccount tokens and the RBAC authorizer that judges them. A TokenRequest
// (`create serviceaccounts/<name>/token`, what `kubectl create token` sends) returns a bound token
// that authenticates as `system:serviceaccount:<ns>:<name>` until it expires or the ServiceAccount
// is deleted. Such users get exactly what Roles, ClusterRoles and their bindings grant, as the RBAC
// authorizer grants it, so a workload bound inside one namespace is refused everything else.
// https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/
import { randomBytes } from "node:crypto";
import { type Json, kubeTime } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { User } from "./authorization.ts";
import { mustResourceType } from "./resource-types.ts";
import { badRequest } from "./status-error.ts";

const serviceAccounts = mustResourceType("", "serviceaccounts");
const roles = mustResourceType("rbac.authorization.k8s.io", "roles");
const roleBindings = mustResourceType("rbac.authorization.k8s.io", "rolebindings");
const clusterRoles = mustResourceType("rbac.authorization.k8s.io", "clusterroles");
const clusterRoleBindings = mustResourceType("rbac.authorization.k8s.io", "clusterrolebindings");

interface IssuedToken {
  namespace: string;
  name: string;
  uid: string;
  expiresAt: number;
}

export class ServiceAccountTokens {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(private readonly store: ObjectStore) {}

  /** Answers a TokenRequest for an existing ServiceAccount (the caller has checked it exists). */
  request(serviceAccount: Json, body: Json): Json {
    const requested = body?.spec?.expirationSeconds ?? 3600;
    if (!Number.isInteger(requested) || requested < 600) {
      throw badRequest(
        `spec.expirationSeconds: Invalid value: ${requested}: may not specify a duration less than 10 minutes`,
      );
    }
    const token = `test-sa-${randomBytes(16).toString("hex")}`;
    const expiresAt = Date.now() + requested * 1000;
    this.issued.set(token, {
      namespace: serviceAccount.metadata.namespace,
      name: serviceAccount.metadata.name,
      uid: serviceAccount.metadata.uid,
      expiresAt,
    });
    return {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: {
        name: serviceAccount.metadata.name,
        namespace: serviceAccount.metadata.namespace,
        creationTimestamp: kubeTime(),
      },
      spec: {
        audiences: body?.spec?.audiences ?? ["https://kubernetes.default.svc"],
        expirationSeconds: requested,
        boundObjectRef: body?.spec?.boundObjectRef ?? null,
      },
      status: { token, expirationTimestamp: kubeTime(new Date(expiresAt)) },
    };
  }

  /** The user a bearer token stands for, or undefined (unknown, expired, or its ServiceAccount gone). */
  userFor(authorization: string | undefined): User | undefined {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const issued = token ? this.issued.get(token) : undefined;
    if (!token || !issued) return undefined;
    const account = this.store.get(serviceAccounts, issued.namespace, issued.name);
    if (!account || account.metadata.uid !== issued.uid || Date.now() >= issued.expiresAt) {
      this.issued.delete(token);
      return undefined;
    }
    return {
      name: `system:serviceaccount:${issued.namespace}:${issued.name}`,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${issued.namespace}`, "system:authenticated"],
      token,
      denied: [],
      rbac: true,
    };
  }
}

export interface AccessAttributes {
  verb: string;
  group: string;
  /** "pods" or "pods/log". */
  resource: string;
  namespace?: string;
  name?: string;
}

// What every authenticated user may do (system:basic-user): ask about its own access.
const selfReviews = new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews"]);

function ruleAllows(rule: Json, a: AccessAttributes): boolean {
  const has = (list: unknown, value: string) => Array.isArray(list) && (list.includes("*") || list.includes(value));
  const [base] = a.resource.split("/");
  const resourceMatch =
    has(rule.resources, a.resource) ||
    (a.resource.includes("/") && Array.isArray(rule.resources) && rule.resources.includes(`${base}/*`));
  const names: unknown = rule.resourceNames;
  const nameMatch = !Array.isArray(names) || names.length === 0 || (a.name !== undefined && names.includes(a.name));
  return has(rule.verbs, a.verb) && has(rule.apiGroups, a.group) && resourceMatch && nameMatch;
}

function subjectMatches(subjects: Json[] | undefined, user: User): boolean {
  return (subjects ?? []).some((s: Json) => {
    if (s.kind === "ServiceAccount") return user.name === `system:serviceaccount:${s.namespace}:${s.name}`;
    if (s.kind === "User") return user.name === s.name;
    if (s.kind === "Group") return user.groups.includes(s.name);
    return false;
  });
}

/** Whether RBAC grants `a` to `user`: a ClusterRoleBinding anywhere, or a RoleBinding in the request's namespace. */
export function rbacAllows(store: ObjectStore, user: User, a: AccessAttributes): boolean {
  if (a.group === "authorization.k8s.io" || a.group === "authentication.k8s.io") {
    if (selfReviews.has(a.resource) && a.verb === "create") return true;
  }
  const rulesOf = (kind: string, name: string, namespace?: string): Json[] => {
    const role = kind === "ClusterRole" ? store.get(clusterRoles, undefined, name) : store.get(roles, namespace, name);
    return role?.rules ?? [];
  };
  for (const binding of store.readList(clusterRoleBindings)) {
    if (!subjectMatches(binding.subjects, user)) continue;
    if (rulesOf("ClusterRole", binding.roleRef?.name).some((rule) => ruleAllows(rule, a))) return true;
  }
  if (a.namespace === undefined) return false;
  for (const binding of store.readList(roleBindings, a.namespace)) {
    if (!subjectMatches(binding.subjects, user)) continue;
    const rules = rulesOf(binding.roleRef?.kind, binding.roleRef?.name, a.namespace);
    if (rules.some((rule) => ruleAllows(rule, a))) return true;
  }
  return false;
}
