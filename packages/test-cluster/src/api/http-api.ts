// The HTTP face of the API server: authentication, fault injection, authorization, then the verb's
// handler; every answer is recorded in the request log. Errors are always a metav1.Status.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Faults } from "../faults.ts";
import { isPlainObject, type Json, type KubeObject } from "../json.ts";
import type { ContainerLogs } from "../kubelet/container-logs.ts";
import type { RequestLog, RequestRecord } from "../request-log.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { forbiddenFor, isAllowed, type User, userForToken } from "./authorization.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from "./discovery.ts";
import { serveLogs } from "./log-stream.ts";
import { openApiGroupVersion, openApiRoot } from "./openapi.ts";
import { isProtobuf, reviewFromProtobuf } from "./protobuf-body.ts";
import { type DeleteOptions, type ResourceRegistry, withTypeMeta } from "./registry.ts";
import { type RequestInfo, resolveRequestInfo } from "./request-info.ts";
import { apiVersionOf, findResourceType, mustResourceType, type ResourceType } from "./resource-types.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import {
  badRequest,
  expired,
  failureStatus,
  methodNotSupported,
  pathNotFound,
  StatusError,
  unauthorized,
} from "./status-error.ts";
import { toTable, wantsTable } from "./table.ts";
import { serveWatch } from "./watch-stream.ts";

export interface ApiContext {
  store: ObjectStore;
  registry: ResourceRegistry;
  faults: Faults;
  requests: RequestLog;
  users: User[];
  logs: ContainerLogs;
  bookmarkIntervalMs: number;
  /** host:port as clients reach it, for /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
}

const publicPaths = new Set(["/version", "/healthz", "/livez", "/readyz"]);

function sendJson(res: ServerResponse, code: number, body: Json, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", ...extraHeaders });
  res.end(`${text}\n`);
}

function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  if (isProtobuf(req.headers["content-type"])) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
    );
  }
  return (await readBytes(req)).toString("utf8");
}

function parseJsonBody(text: string): Json {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body of the request was in an unknown format: ${(error as Error).message}`);
  }
}

function dryRunOf(query: URLSearchParams, body?: Json): boolean {
  const values = [...query.getAll("dryRun"), ...(Array.isArray(body?.dryRun) ? body.dryRun : [])];
  for (const v of values)
    if (v !== "All") throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

export function createApiHandler(ctx: ApiContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = new Date();
    const info = resolveRequestInfo(req.method ?? "GET", req.url ?? "/");
    const record: RequestRecord = {
      method: req.method ?? "GET",
      path: info.path,
      query: Object.fromEntries(info.query),
      status: 0,
      verb: info.isResourceRequest ? info.verb : "",
      resource: info.subresource ? `${info.resource}/${info.subresource}` : info.resource,
      timestamp: started,
    };
    if (info.namespace) record.namespace = info.namespace;
    if (info.name) record.name = info.name;
    ctx.requests.add(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    res.on("close", () => {
      record.status ||= res.statusCode;
    });
    handle(ctx, info, record, req, res).catch((error: unknown) => {
      const status =
        error instanceof StatusError
          ? error.toStatus()
          : failureStatus(500, "InternalError", `Internal error occurred: ${(error as Error)?.message ?? error}`, {
              causes: [{ reason: "UnexpectedServerResponse", message: String((error as Error)?.message ?? error) }],
            });
      record.status = status.code;
      sendJson(res, status.code, status);
    });
  };
}

async function handle(
  ctx: ApiContext,
  info: RequestInfo,
  record: RequestRecord,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const user = userForToken(ctx.users, req.headers.authorization);
  if (user) record.user = user.name;
  if (!user && !publicPaths.has(info.path)) throw unauthorized();

  const description = {
    method: record.method,
    path: record.path,
    verb: record.verb,
    resource: record.resource,
    ...(info.namespace ? { namespace: info.namespace } : {}),
    ...(info.name ? { name: info.name } : {}),
  };
  const delay = ctx.faults.takeLatency(description);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const failure = ctx.faults.takeFailure(description);
  if (failure) {
    record.faulted = `status ${failure.status}`;
    const retryAfter = failure.retryAfterSeconds ?? (failure.status === 429 || failure.status === 503 ? 1 : undefined);
    const reasons: Record<number, [string, string]> = {
      429: ["TooManyRequests", "Too many requests, please try again later."],
      500: ["InternalError", "Internal error occurred: injected fault"],
      503: ["ServiceUnavailable", "The server is currently unable to handle the request"],
      504: [
        "Timeout",
        "The server was unable to return a response in the time allotted, but may still be processing the request",
      ],
    };
    const [reason, message] = reasons[failure.status] ?? ["InternalError", "injected fault"];
    const details = retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : undefined;
    sendJson(
      res,
      failure.status,
      failureStatus(failure.status, reason, failure.message ?? message, details),
      retryAfter !== undefined ? { "Retry-After": String(retryAfter) } : {},
    );
    return;
  }

  if (!info.isResourceRequest) {
    serveNonResource(ctx, info, res);
    return;
  }
  const t = info.resourceType;
  if (!t) throw pathNotFound();
  if (info.subresource && !(info.subresource in t.subresources)) throw pathNotFound();
  const allowedVerbs = info.subresource ? (t.subresources[info.subresource] ?? []) : t.verbs;
  if (!allowedVerbs.includes(info.verb)) throw methodNotSupported(t, info.verb);
  if (user && !isAllowed(user, info.verb, t.resource, info.subresource || undefined)) {
    throw forbiddenFor(user, t, info.verb, info.namespace, info.name, info.subresource || undefined);
  }
  if (t.namespaced && !info.namespace && !["list", "watch"].includes(info.verb)) throw pathNotFound();
  if (!t.namespaced && t.resource !== "namespaces" && info.namespace) throw pathNotFound();

  if (t.virtual) {
    const body = isProtobuf(req.headers["content-type"])
      ? reviewFromProtobuf(await readBytes(req))
      : parseJsonBody(await readBody(req));
    sendJson(res, 201, review(t, body, user as User));
    return;
  }
  const namespace = t.namespaced ? info.namespace : undefined;
  const name = info.name as string;
  const query = info.query;
  const fieldManager = query.get("fieldManager") ?? managerFromUserAgent(req.headers["user-agent"]);

  switch (info.verb) {
    case "get": {
      if (info.subresource === "log") {
        const pod = ctx.registry.get(t, namespace, name);
        serveLogs(ctx.logs, { pod, query, cut: ctx.faults.takeLogCut(description) }, res);
        return;
      }
      const object = ctx.registry.get(t, namespace, name);
      if (wantsTable(req.headers.accept)) {
        sendJson(res, 200, toTable(t, [object], {}, query.get("includeObject")));
      } else sendJson(res, 200, object);
      return;
    }
    case "list":
      sendJson(res, 200, list(ctx, t, namespace, query, req.headers.accept));
      return;
    case "watch": {
      const cut = ctx.faults.takeWatchCut(description);
      if (cut) record.faulted = "cut watch";
      serveWatch(
        ctx.store,
        {
          resourceType: t,
          ...(namespace !== undefined ? { namespace } : {}),
          labelSelector: parseLabelSelector(query.get("labelSelector") ?? undefined),
          fieldSelector: parseFieldSelector(t, query.get("fieldSelector") ?? undefined),
          query,
          ...(cut ? { cut } : {}),
          bookmarkIntervalMs: ctx.bookmarkIntervalMs,
          ...(wantsTable(req.headers.accept)
            ? {
                present: (object: KubeObject) =>
                  toTable(
                    t,
                    [object],
                    { resourceVersion: object.metadata.resourceVersion },
                    query.get("includeObject"),
                  ),
              }
            : {}),
        },
        res,
      );
      return;
    }
    case "create": {
      const body = parseJsonBody(await readBody(req));
      const created = ctx.registry.create(t, namespace, body, { dryRun: dryRunOf(query), fieldManager });
      sendJson(res, 201, created);
      return;
    }
    case "update": {
      const body = parseJsonBody(await readBody(req));
      const options = { dryRun: dryRunOf(query), fieldManager, subresource: info.subresource };
      sendJson(res, 200, ctx.registry.replace(t, namespace, name, body, options));
      return;
    }
    case "patch": {
      const raw = await readBody(req);
      const contentType = req.headers["content-type"] ?? "";
      const existed = ctx.registry.find(t, namespace, name) !== undefined;
      const patched = ctx.registry.patch(t, namespace, name, contentType, raw, {
        dryRun: dryRunOf(query),
        fieldManager:
          query.get("fieldManager") ?? (contentType.startsWith("application/apply-patch") ? undefined : fieldManager),
        subresource: info.subresource,
        force: query.get("force") === "true",
      });
      sendJson(res, existed ? 200 : 201, patched);
      return;
    }
    case "delete": {
      const body = parseJsonBody(await readBody(req));
      const options = deleteOptions(query, body);
      const result = ctx.registry.delete(t, namespace, name, options);
      if (result.deleted || options.dryRun) {
        if (t.resource === "pods" || t.resource === "namespaces" || options.dryRun) {
          sendJson(res, 200, result.object);
          return;
        }
        const details: Json = {
          name,
          ...(t.group ? { group: t.group } : {}),
          kind: t.resource,
          uid: result.object.metadata.uid,
        };
        sendJson(res, 200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details });
        return;
      }
      sendJson(res, options.orphanDependents === false ? 202 : 200, result.object);
      return;
    }
    case "deletecollection": {
      const body = parseJsonBody(await readBody(req));
      const options = deleteOptions(query, body);
      const selected = selectObjects(ctx, t, namespace, query);
      const items = selected.map(
        (o) => ctx.registry.delete(t, o.metadata.namespace, o.metadata.name as string, options).object,
      );
      sendJson(res, 200, {
        kind: `${t.kind}List`,
        apiVersion: apiVersionOf(t),
        metadata: { resourceVersion: String(ctx.store.resourceVersion) },
        items,
      });
      return;
    }
    default:
      throw methodNotSupported(t, info.verb);
  }
}

/** kubectl's default field manager is its binary name plus the command ("kubectl-create"). */
function managerFromUserAgent(userAgent: string | undefined): string {
  const first = (userAgent ?? "unknown").split("/")[0] ?? "unknown";
  return first.slice(0, 128) || "unknown";
}

function deleteOptions(query: URLSearchParams, body: Json): DeleteOptions {
  const options: DeleteOptions = {};
  const source: Json = isPlainObject(body) ? body : {};
  const policy = query.get("propagationPolicy") ?? source.propagationPolicy;
  if (policy) {
    if (!["Foreground", "Background", "Orphan"].includes(policy)) {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    options.propagationPolicy = policy;
  }
  const grace = query.get("gracePeriodSeconds") ?? source.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = Number(grace);
  const orphan = query.get("orphanDependents") ?? source.orphanDependents;
  if (orphan !== undefined && orphan !== null) options.orphanDependents = orphan === true || orphan === "true";
  if (source.preconditions) options.preconditions = source.preconditions;
  if (dryRunOf(query, source)) options.dryRun = true;
  return options;
}

function selectObjects(
  ctx: ApiContext,
  t: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): KubeObject[] {
  const labels = parseLabelSelector(query.get("labelSelector") ?? undefined);
  const fields = parseFieldSelector(t, query.get("fieldSelector") ?? undefined);
  return ctx.registry.list(t, namespace).filter((o) => labels(o) && fields(o));
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** list with selectors, limit/continue paging and the resourceVersion rules of the API reference. */
function list(
  ctx: ApiContext,
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

function serveNonResource(ctx: ApiContext, info: RequestInfo, res: ServerResponse): void {
  const path = info.path;
  if (path === "/version") {
    sendJson(res, 200, serverVersion);
    return;
  }
  if (publicPaths.has(path)) {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("ok");
    return;
  }
  if (path === "/api") {
    sendJson(res, 200, apiVersions(ctx.serverAddress()));
    return;
  }
  if (path === "/apis") {
    sendJson(res, 200, apiGroupList());
    return;
  }
  if (path === "/openapi/v3") {
    sendJson(res, 200, openApiRoot());
    return;
  }
  const openApi = path.match(/^\/openapi\/v3\/(?:api|apis)\/(.+)$/);
  if (openApi) {
    const doc = openApiGroupVersion(openApi[1] as string);
    if (doc) {
      sendJson(res, 200, doc);
      return;
    }
  }
  const core = path.match(/^\/api\/([^/]+)$/);
  if (core) {
    const doc = apiResourceList("", core[1] as string);
    if (doc) {
      sendJson(res, 200, doc);
      return;
    }
  }
  const group = path.match(/^\/apis\/([^/]+)$/);
  if (group) {
    const doc = apiGroup(group[1] as string);
    if (doc) {
      sendJson(res, 200, doc);
      return;
    }
  }
  const groupVersion = path.match(/^\/apis\/([^/]+)\/([^/]+)$/);
  if (groupVersion) {
    const doc = apiResourceList(groupVersion[1] as string, groupVersion[2] as string);
    if (doc) {
      sendJson(res, 200, doc);
      return;
    }
  }
  throw pathNotFound();
}

/** SelfSubjectAccessReview / SelfSubjectReview: answered from the caller's token, never stored. */
function review(t: ResourceType, body: Json, user: User): Json {
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
    const target =
      findResourceType(attributes.group ?? "", attributes.version || "v1", attributes.resource ?? "") ??
      [mustResourceType("", "pods")].find(() => false);
    const resource = target?.resource ?? attributes.resource ?? "";
    allowed = isAllowed(user, attributes.verb ?? "", resource, attributes.subresource || undefined);
  }
  return {
    kind: t.kind,
    apiVersion: apiVersionOf(t),
    metadata: { creationTimestamp: null },
    spec: body?.spec ?? {},
    status: allowed ? { allowed: true } : { allowed: false },
  };
}
