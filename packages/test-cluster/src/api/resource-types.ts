// The resources the server knows, described once: discovery, routing, validation and error
// messages all read this table (the facts come from the Kubernetes API reference).

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, as in the URL: "pods". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Subresources served, with the verbs each allows. */
  subresources: Record<string, string[]>;
  categories: string[];
  /** Which rule metadata.name must follow. */
  nameRule: "subdomain" | "label" | "none";
  /** Kinds whose writes to the main resource ignore .status (it has a status subresource). */
  statusSubresource: boolean;
  /** Create-only review resources are answered, never stored. */
  virtual: boolean;
}

const crud = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function type(fields: Partial<ResourceType> & Pick<ResourceType, "resource" | "kind" | "singular">): ResourceType {
  return {
    group: "",
    version: "v1",
    namespaced: true,
    shortNames: [],
    verbs: crud,
    subresources: {},
    categories: [],
    nameRule: "subdomain",
    statusSubresource: false,
    virtual: false,
    ...fields,
  };
}

export const resourceTypes: ResourceType[] = [
  type({
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    subresources: { status: ["get", "patch", "update"], finalize: ["update"] },
    nameRule: "label",
    statusSubresource: true,
  }),
  type({ resource: "configmaps", singular: "configmap", kind: "ConfigMap", shortNames: ["cm"] }),
  type({ resource: "secrets", singular: "secret", kind: "Secret" }),
  type({
    resource: "serviceaccounts",
    singular: "serviceaccount",
    kind: "ServiceAccount",
    shortNames: ["sa"],
    subresources: { token: ["create"] },
  }),
  type({
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    shortNames: ["po"],
    categories: ["all"],
    subresources: { status: ["get", "patch", "update"], log: ["get"] },
    statusSubresource: true,
  }),
  type({ resource: "events", singular: "event", kind: "Event", shortNames: ["ev"], nameRule: "none" }),
  type({
    group: "batch",
    resource: "jobs",
    singular: "job",
    kind: "Job",
    categories: ["all"],
    subresources: { status: ["get", "patch", "update"] },
    statusSubresource: true,
  }),
  type({
    resource: "services",
    singular: "service",
    kind: "Service",
    shortNames: ["svc"],
    categories: ["all"],
    subresources: { status: ["get", "patch", "update"] },
    nameRule: "label",
    statusSubresource: true,
  }),
  type({
    resource: "resourcequotas",
    singular: "resourcequota",
    kind: "ResourceQuota",
    shortNames: ["quota"],
    subresources: { status: ["get", "patch", "update"] },
    statusSubresource: true,
  }),
  type({ resource: "limitranges", singular: "limitrange", kind: "LimitRange", shortNames: ["limits"] }),
  type({
    group: "apps",
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: { status: ["get", "patch", "update"] },
    statusSubresource: true,
  }),
  type({
    group: "apps",
    resource: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    shortNames: ["rs"],
    categories: ["all"],
    subresources: { status: ["get", "patch", "update"] },
    statusSubresource: true,
  }),
  type({ group: "rbac.authorization.k8s.io", resource: "roles", singular: "role", kind: "Role", nameRule: "none" }),
  type({
    group: "rbac.authorization.k8s.io",
    resource: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    nameRule: "none",
  }),
  type({
    group: "rbac.authorization.k8s.io",
    resource: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    namespaced: false,
    nameRule: "none",
  }),
  type({
    group: "rbac.authorization.k8s.io",
    resource: "clusterrolebindings",
    singular: "clusterrolebinding",
    kind: "ClusterRoleBinding",
    namespaced: false,
    nameRule: "none",
  }),
  type({
    group: "authorization.k8s.io",
    resource: "selfsubjectaccessreviews",
    singular: "selfsubjectaccessreview",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
    virtual: true,
  }),
  type({
    group: "authorization.k8s.io",
    resource: "selfsubjectrulesreviews",
    singular: "selfsubjectrulesreview",
    kind: "SelfSubjectRulesReview",
    namespaced: false,
    verbs: ["create"],
    virtual: true,
  }),
  type({
    group: "authentication.k8s.io",
    resource: "selfsubjectreviews",
    singular: "selfsubjectreview",
    kind: "SelfSubjectReview",
    namespaced: false,
    verbs: ["create"],
    virtual: true,
  }),
];

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function findResourceType(group: string, version: string, resource: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function resourceTypeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

export function mustResourceType(group: string, resource: string): ResourceType {
  const found = resourceTypes.find((t) => t.group === group && t.resource === resource);
  if (!found) throw new Error(`test-cluster: no resource type ${resource} in group "${group}"`);
  return found;
}

/** "jobs.batch", "pods": how the API server names a resource in messages. */
export function qualifiedResource(t: ResourceType): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

export const groupVersions = [...new Set(resourceTypes.map((t) => apiVersionOf(t)))];
