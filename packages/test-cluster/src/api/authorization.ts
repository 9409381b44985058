// Bearer tokens and what each may do: the admin token may do everything; the limited token is
// refused the verb/resource pairs the test chose, with the API server's 403 wording.
import { randomBytes } from "node:crypto";
import type { ResourceType } from "./resource-types.ts";
import { forbidden, type StatusError } from "./status-error.ts";

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
