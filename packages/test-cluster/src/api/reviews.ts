// SelfSubjectAccessReview / SelfSubjectReview answers, from the caller's token.
import type { Json } from "../json.ts";
import { isAllowed, type User } from "./authorization.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";

/** SelfSubjectAccessReview / SelfSubjectReview: answered from the caller's token, never stored. */
export function review(t: ResourceType, body: Json, user: User): Json {
  if (t.resource === "selfsubjectreviews") {
    return {
      kind: t.kind,
      apiVersion: apiVersionOf(t),
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: user.name, groups: user.groups } },
    };
  }
  const attributes = body?.spec?.resourceAttributes;
  let allowed = true;
  if (attributes) {
    allowed = isAllowed(user, attributes.verb ?? "", attributes.resource ?? "", attributes.subresource || undefined);
  }
  return {
    kind: t.kind,
    apiVersion: apiVersionOf(t),
    metadata: { creationTimestamp: null },
    spec: body?.spec ?? {},
    status: allowed ? { allowed: true } : { allowed: false },
  };
}
