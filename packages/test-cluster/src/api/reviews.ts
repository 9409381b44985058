// SelfSubjectAccessReview / SelfSubjectRulesReview / SelfSubjectReview answers, from the caller's token.
import { isPlainObject, type Json } from "../json.ts";
import { isAllowed, rulesFor, type User } from "./authorization.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";
import { badRequest } from "./status-error.ts";

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
  if (t.resource === "selfsubjectrulesreviews") {
    // As pkg/registry/authorization/selfsubjectrulesreview does: 400 without spec.namespace, and an
    // answer that carries only the status (the spec is not echoed).
    const namespace = isPlainObject(body?.spec) ? body.spec.namespace : undefined;
    if (typeof namespace !== "string" || namespace === "") throw badRequest("no namespace on request");
    const rules = rulesFor(user);
    return {
      kind: t.kind,
      apiVersion: apiVersionOf(t),
      metadata: { creationTimestamp: null },
      spec: {},
      status: { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: false },
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
