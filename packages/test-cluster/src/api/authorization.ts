// Bearer tokens and what each may do: the admin token may do everything; the limited token is
// refused the verb/resource pairs the test chose, with the API server's 403 wording.
import { randomBytes } from "node:crypto";
import { type ResourceType, resourceTypes } from "./resource-types.ts";
import { forbidden, StatusError } from "./status-error.ts";

export interface DeniedAccess {
  /** "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection" or "*". */
  verb: string;
  /** "pods", "pods/log", "jobs", "secrets"... or "*". */
  resource: string;
}

export interface User {
  name: string;
  groups: string[];
  token: string;
  denied: DeniedAccess[];
  /** ServiceAccount users (TokenRequest tokens) are judged by RBAC: Roles, ClusterRoles and their bindings. */
  rbac?: boolean;
}

export interface Tokens {
  /** May do everything (system:masters). */
  admin: string;
  /** Refused the `deny` list given in options.limitedToken. */
  limited: string;
}

export function createUsers(deny: DeniedAccess[]): { tokens: Tokens; users: User[] } {
  const admin = `test-admin-${randomBytes(12).toString("hex")}`;
  const limited = `test-limited-${randomBytes(12).toString("hex")}`;
  return {
    tokens: { admin, limited },
    users: [
      { name: "test-admin", groups: ["system:masters", "system:authenticated"], token: admin, denied: [] },
      {
        name: "system:serviceaccount:default:limited",
        groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
        token: limited,
        denied: deny,
      },
    ],
  };
}

export function userForToken(users: User[], authorization: string | undefined): User | undefined {
  const match = authorization?.match(/^Bearer\s+(.+)$/i);
  if (!match) return undefined;
  return users.find((u) => u.token === match[1]?.trim());
}

export function isAllowed(user: User, verb: string, resource: string, subresource?: string): boolean {
  const full = subresource ? `${resource}/${subresource}` : resource;
  return !user.denied.some(
    (d) =>
      (d.verb === "*" || d.verb === verb) &&
      (d.resource === "*" || d.resource === full || d.resource === `${resource}/*`),
  );
}

export function forbiddenFor(
  user: User,
  t: ResourceType,
  verb: string,
  namespace: string | undefined,
  name: string | undefined,
  subresource?: string,
): StatusError {
  const resource = subresource ? `${t.resource}/${subresource}` : t.resource;
  const scope = t.namespaced && namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  return forbidden(
    t,
    name,
    `User "${user.name}" cannot ${verb} resource "${resource}" in API group "${t.group}" ${scope}`,
  );
}

/**
 * What a request without credentials gets. The API server authenticates it as `system:anonymous`
 * (anonymous auth is on by default), and the default RBAC lets that user see only `/version` and the
 * health checks (system:public-info-viewer), so everything else is 403 Forbidden, not 401: 401 is for
 * credentials the server does not accept.
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
 */
export function anonymousForbidden(request: {
  verb: string;
  method: string;
  path: string;
  resourceType?: ResourceType | undefined;
  resource: string;
  group: string;
  namespace?: string | undefined;
  name?: string | undefined;
  subresource?: string | undefined;
}): StatusError {
  const anonymous: User = { name: "system:anonymous", groups: ["system:unauthenticated"], token: "", denied: [] };
  if (request.resourceType) {
    const { resourceType: t, verb, namespace, name, subresource } = request;
    return forbiddenFor(anonymous, t, verb, namespace, name, subresource || undefined);
  }
  if (request.resource) {
    const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
    const scope = request.namespace ? `in the namespace "${request.namespace}"` : "at the cluster scope";
    return forbidden(
      request.resource,
      undefined,
      `User "${anonymous.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`,
    );
  }
  return new StatusError(
    403,
    "Forbidden",
    `forbidden: User "${anonymous.name}" cannot ${request.method.toLowerCase()} path "${request.path}"`,
    {},
  );
}

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface UserRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
}

// What every authenticated user gets from the default ClusterRoles system:basic-user,
// system:discovery and system:public-info-viewer.
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
const basicUserRules: ResourceRule[] = [
  { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
  {
    verbs: ["create"],
    apiGroups: ["authorization.k8s.io"],
    resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
  },
];
const discoveryRules: NonResourceRule[] = [
  {
    verbs: ["get"],
    nonResourceURLs: [
      "/api",
      "/api/*",
      "/apis",
      "/apis/*",
      "/healthz",
      "/livez",
      "/openapi",
      "/openapi/*",
      "/readyz",
      "/version",
      "/version/",
    ],
  },
  { verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] },
];

/**
 * The rules an RBAC authorizer would list for the user (SelfSubjectRulesReview). The admin has
 * cluster-admin; the limited user is listed an allow rule for every served resource and verb it is
 * not denied (an RBAC authorizer only ever lists allow rules), grouped by API group and verb set.
 */
export function rulesFor(user: User): UserRules {
  if (user.denied.length === 0) {
    return {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, ...basicUserRules],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }, ...discoveryRules],
    };
  }
  const grouped = new Map<string, ResourceRule>();
  for (const t of resourceTypes) {
    const served: [string, string[], string | undefined][] = [
      [t.resource, t.verbs, undefined],
      ...Object.entries(t.subresources).map(([sub, verbs]): [string, string[], string | undefined] => [
        `${t.resource}/${sub}`,
        verbs,
        sub,
      ]),
    ];
    for (const [resource, verbs, subresource] of served) {
      const allowed = verbs.filter((verb) => isAllowed(user, verb, t.resource, subresource));
      if (allowed.length === 0) continue;
      const key = `${t.group}\u0000${allowed.join(",")}`;
      const rule = grouped.get(key);
      if (rule) rule.resources.push(resource);
      else grouped.set(key, { verbs: allowed, apiGroups: [t.group], resources: [resource] });
    }
  }
  return { resourceRules: [...grouped.values()], nonResourceRules: discoveryRules };
}
