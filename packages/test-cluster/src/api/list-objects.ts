// list: selectors, limit/continue paging, resourceVersion rules, and Tables for kubectl.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
import type { Json, KubeObject } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { type ResourceRegistry, withTypeMeta } from "./registry.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { badRequest, expired, StatusError } from "./status-error.ts";
import { toTable, wantsTable } from "./table.ts";

/** What listing reads: the registry for objects, the store for resourceVersions. */
export interface ListSource {
  store: ObjectStore;
  registry: ResourceRegistry;
}

export function selectObjects(
  ctx: ListSource,
  t: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): KubeObject[] {
  const labels = parseLabelSelector(query.get("labelSelector") ?? undefined);
  const fields = parseFieldSelector(t, query.get("fieldSelector") ?? undefined);
  return ctx.registry.list(t, namespace, (o) => labels(o) && fields(o));
}

export interface ContinueToken {
  rv: number;
  start: string;
}

/** list with selectors, limit/continue paging and the resourceVersion rules of the API reference. */
export function list(
  ctx: ListSource,
  t: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
  accept: string | undefined,
): Json {
  const rv = query.get("resourceVersion") ?? "";
  const match = query.get("resourceVersionMatch") ?? "";
  if (match && rv === "")
    throw badRequest(
      `resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`,
    );
  if (rv !== "" && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  if (rv !== "" && Number(rv) > ctx.store.resourceVersion) {
    // The real server waits up to 3 s for the store to catch up first; this store never lags.
    throw new StatusError(504, "Timeout", `Too large resource version: ${rv}, current: ${ctx.store.resourceVersion}`, {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    });
  }
  if (match === "Exact" && Number(rv) < ctx.store.resourceVersion) {
    // Only the newest state is kept, so an exact read of an older version is always out of reach.
    const oldest = ctx.store.oldestResourceVersion;
    throw expired(`too old resource version: ${rv} (${Math.max(oldest + 1, ctx.store.resourceVersion)})`);
  }
  let items = selectObjects(ctx, t, namespace, query);
  const continueText = query.get("continue");
  if (continueText) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(continueText, "base64url").toString("utf8"));
    } catch {
      throw badRequest("continue key is not valid: illegal base64 data");
    }
    if (token.rv <= ctx.store.oldestResourceVersion) {
      throw new StatusError(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
      );
    }
    items = items.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > token.start);
  }
  const limit = Number(query.get("limit") ?? "0");
  const metadata: Json = { resourceVersion: String(ctx.store.resourceVersion) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1] as KubeObject;
    const token: ContinueToken = {
      rv: ctx.store.resourceVersion,
      start: `${last.metadata.namespace ?? ""}/${last.metadata.name}`,
    };
    metadata.continue = Buffer.from(JSON.stringify(token)).toString("base64url");
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsTable(accept))
    return toTable(
      t,
      items.map((o) => withTypeMeta(t, o)),
      metadata,
      query.get("includeObject"),
    );
  return {
    kind: `${t.kind}List`,
    apiVersion: apiVersionOf(t),
    metadata,
    items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}
