// Turns a request's method and URL into what the API server reasons about: verb, group, version,
// resource, subresource, namespace, name (as apiserver's RequestInfoResolver does).
import { findResourceType, type ResourceType } from "./resource-types.ts";

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  query: URLSearchParams;
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name?: string;
  resourceType?: ResourceType;
}

export function resolveRequestInfo(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, "http://test-cluster");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const base: RequestInfo = {
    isResourceRequest: false,
    path,
    query: url.searchParams,
    verb: method.toLowerCase(),
    group: "",
    version: "",
    resource: "",
    subresource: "",
  };
  const parts = path
    .split("/")
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    base.version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    base.group = parts[1] as string;
    base.version = parts[2] as string;
    rest = parts.slice(3);
  } else return base;

  let legacyWatch = false;
  if (rest[0] === "watch") {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const inner = findResourceType(base.group, base.version, rest[2] as string);
    if (inner?.namespaced) {
      base.namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  base.isResourceRequest = true;
  base.resource = rest[0] ?? "";
  base.name = rest[1];
  base.subresource = rest[2] ?? "";
  if (base.resource === "namespaces" && base.name) base.namespace = base.name;
  base.resourceType = findResourceType(base.group, base.version, base.resource);

  const watching = legacyWatch || ["true", "1"].includes(url.searchParams.get("watch") ?? "");
  switch (method) {
    case "GET":
    case "HEAD":
      base.verb = base.name && !watching ? "get" : watching ? "watch" : "list";
      break;
    case "POST":
      base.verb = "create";
      break;
    case "PUT":
      base.verb = "update";
      break;
    case "PATCH":
      base.verb = "patch";
      break;
    case "DELETE":
      base.verb = base.name ? "delete" : "deletecollection";
      break;
    default:
      base.verb = method.toLowerCase();
  }
  return base;
}
