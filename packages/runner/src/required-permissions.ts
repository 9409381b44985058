// Which API permissions a run needs, as SelfSubjectAccessReview resource attributes, and how to
// tell from a SelfSubjectRulesReview's rules whether one is granted. Pure.
// Creating the run's Role also needs every permission that Role grants (RBAC refuses to let you
// grant what you do not hold, unless you may `escalate`), so those are on the list too.
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
import type { V1PolicyRule, V1ResourceAttributes, V1ResourceRule } from "@kubernetes/client-node";

export interface Permission {
  verb: string;
  /** "" for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** undefined for cluster-scoped resources (namespaces). */
  namespace?: string;
}

export interface RequiredPermissionsOptions {
  namespace: string;
  createNamespace: boolean;
  /** The rules of the Role the run creates for its pod. */
  roleRules?: V1PolicyRule[];
  /** The run carries local changes (run --source) in a ConfigMap it creates. */
  localChanges?: boolean;
}

const RUN_PERMISSIONS: Array<Omit<Permission, "namespace">> = [
  { verb: "create", group: "", resource: "secrets" },
  { verb: "delete", group: "", resource: "secrets" },
  { verb: "create", group: "", resource: "serviceaccounts" },
  { verb: "delete", group: "", resource: "serviceaccounts" },
  { verb: "create", group: "rbac.authorization.k8s.io", resource: "roles" },
  { verb: "delete", group: "rbac.authorization.k8s.io", resource: "roles" },
  { verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings" },
  { verb: "delete", group: "rbac.authorization.k8s.io", resource: "rolebindings" },
  { verb: "create", group: "batch", resource: "jobs" },
  { verb: "get", group: "batch", resource: "jobs" },
  { verb: "list", group: "batch", resource: "jobs" },
  { verb: "watch", group: "batch", resource: "jobs" },
  { verb: "patch", group: "batch", resource: "jobs" },
  { verb: "delete", group: "batch", resource: "jobs" },
  { verb: "list", group: "", resource: "pods" },
  { verb: "watch", group: "", resource: "pods" },
  { verb: "get", group: "", resource: "pods", subresource: "log" },
];

/** Every permission the run needs, without duplicates, in a stable order. */
export function requiredPermissions(options: RequiredPermissionsOptions): Permission[] {
  const list: Permission[] = RUN_PERMISSIONS.map((permission) => ({ ...permission, namespace: options.namespace }));
  if (options.localChanges) {
    list.push(
      { verb: "create", group: "", resource: "configmaps", namespace: options.namespace },
      { verb: "delete", group: "", resource: "configmaps", namespace: options.namespace },
    );
  }
  if (options.createNamespace) {
    list.push(
      { verb: "get", group: "", resource: "namespaces" },
      { verb: "create", group: "", resource: "namespaces" },
    );
  }
  for (const rule of options.roleRules ?? []) {
    for (const group of rule.apiGroups ?? [""]) {
      for (const resourceText of rule.resources ?? []) {
        const [resource = resourceText, subresource] = resourceText.split("/");
        for (const verb of rule.verbs) {
          const permission: Permission = { verb, group, resource, namespace: options.namespace };
          if (subresource) permission.subresource = subresource;
          list.push(permission);
        }
      }
    }
  }
  const seen = new Set<string>();
  return list.filter((permission) => {
    const key = describePermission(permission);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `create roles.rbac.authorization.k8s.io in namespace ci`, `get pods/log in namespace ci`, `create namespaces`. */
export function describePermission(permission: Permission): string {
  const resource = `${permission.resource}${permission.subresource ? `/${permission.subresource}` : ""}${permission.group ? `.${permission.group}` : ""}`;
  return `${permission.verb} ${resource}${permission.namespace ? ` in namespace ${permission.namespace}` : ""}`;
}

/** The SelfSubjectAccessReview spec for one permission. */
export function toResourceAttributes(permission: Permission): V1ResourceAttributes {
  const attributes: V1ResourceAttributes = {
    verb: permission.verb,
    group: permission.group,
    resource: permission.resource,
  };
  if (permission.subresource) attributes.subresource = permission.subresource;
  if (permission.namespace) attributes.namespace = permission.namespace;
  return attributes;
}

const matches = (granted: string[] | undefined, wanted: string) =>
  (granted ?? []).some((item) => item === "*" || item === wanted);

/** True when one of the rules (from a SelfSubjectRulesReview) grants the permission outright. */
export function rulesGrant(rules: V1ResourceRule[], permission: Permission): boolean {
  const resource = permission.subresource ? `${permission.resource}/${permission.subresource}` : permission.resource;
  return rules.some(
    (rule) =>
      (rule.resourceNames ?? []).length === 0 &&
      matches(rule.verbs, permission.verb) &&
      matches(rule.apiGroups, permission.group) &&
      (rule.resources ?? []).some(
        (item) =>
          item === "*" || item === resource || (permission.subresource && item === `*/${permission.subresource}`),
      ),
  );
}
