// The HTTP face of the API server: authentication, fault injection, authorization, then the verb's
// handler; every answer is recorded in the request log. Errors are always a metav1.Status.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { Faults } from "../faults.ts";
import type { Json, KubeObject } from "../json.ts";
import type { ContainerLogs } from "../kubelet/container-logs.ts";
import type { RequestLog, RequestRecord } from "../request-log.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { anonymousForbidden, forbiddenFor, isAllowed, type User, userForToken } from "./authorization.ts";
import { validateFields } from "./field-validation.ts";
import { parseJsonBody, readBody, readJsonBody, sendJson } from "./http-io.ts";
import { list, selectObjects } from "./list-objects.ts";
import { serveLogs } from "./log-stream.ts";
import { publicPaths, serveNonResource } from "./non-resource.ts";
import type { ResourceRegistry } from "./registry.ts";
import { type RequestInfo, resolveRequestInfo } from "./request-info.ts";
import { deleteOptions, dryRunOf, managerFromUserAgent } from "./request-options.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";
import { review } from "./reviews.ts";
import { parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { rbacAllows, type ServiceAccountTokens } from "./service-account-auth.ts";
import { failureStatus, methodNotSupported, pathNotFound, StatusError, unauthorized } from "./status-error.ts";
import { toTable, wantsTable } from "./table.ts";
import { serveWatch } from "./watch-stream.ts";

export interface ApiContext {
  store: ObjectStore;
  registry: ResourceRegistry;
  faults: Faults;
  requests: RequestLog;
  users: User[];
  serviceAccountTokens: ServiceAccountTokens;
  logs: ContainerLogs;
  bookmarkIntervalMs: number;
  /** host:port as clients reach it, for /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
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
  const user =
    userForToken(ctx.users, req.headers.authorization) ?? ctx.serviceAccountTokens.userFor(req.headers.authorization);
  if (user) record.user = user.name;
  if (!user && !publicPaths.has(info.path)) {
    // Credentials the server does not accept are 401; none at all make the anonymous user, who is 403.
    if (req.headers.authorization) throw unauthorized();
    throw anonymousForbidden({ ...info, method: record.method });
  }

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
      // 404 as for a path the server does not serve: stands in for an API a server lacks.
      404: ["NotFound", "the server could not find the requested resource"],
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
  if (user?.rbac) {
    const resource = info.subresource ? `${t.resource}/${info.subresource}` : t.resource;
    const access = { verb: info.verb, group: t.group, resource, namespace: info.namespace, name: info.name };
    if (!rbacAllows(ctx.store, user, access)) {
      throw forbiddenFor(user, t, info.verb, info.namespace, info.name, info.subresource || undefined);
    }
  }
  if (t.namespaced && !info.namespace && !["list", "watch"].includes(info.verb)) throw pathNotFound();
  if (!t.namespaced && t.resource !== "namespaces" && info.namespace) throw pathNotFound();

  if (t.resource === "serviceaccounts" && info.subresource === "token" && info.namespace && info.name) {
    const account = ctx.registry.get(t, info.namespace, info.name);
    sendJson(res, 201, ctx.serviceAccountTokens.request(account, await readJsonBody(req)));
    return;
  }
  if (t.virtual) {
    const body = await readJsonBody(req);
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
      const body = await readJsonBody(req);
      warn(res, validateFields(t, body, query, "decoder", { namespace, name: body?.metadata?.name }));
      const created = ctx.registry.create(t, namespace, body, { dryRun: dryRunOf(query), fieldManager });
      sendJson(res, 201, created);
      return;
    }
    case "update": {
      // Helm's release storage updates its Secrets with protobuf bodies.
      const body = await readJsonBody(req);
      warn(res, validateFields(t, body, query, "decoder", { namespace, name }));
      const options = { dryRun: dryRunOf(query), fieldManager, subresource: info.subresource };
      sendJson(res, 200, ctx.registry.replace(t, namespace, name, body, options));
      return;
    }
    case "patch": {
      const contentType = req.headers["content-type"] ?? "";
      const raw = checkPatchFields(t, await readBody(req), contentType, query, res, { namespace, name });
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
      const body = await readJsonBody(req);
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

function warn(res: ServerResponse, warnings: string[]): void {
  if (warnings.length > 0) res.setHeader("Warning", warnings);
}

/**
 * Field validation of a merge, strategic merge or apply patch (JSON patches carry no field names to
 * check). Returns the patch to apply, without the unknown fields unless the patch is left for the
 * registry to refuse as malformed.
 */
function checkPatchFields(
  t: ResourceType,
  raw: string,
  contentType: string,
  query: URLSearchParams,
  res: ServerResponse,
  target: { namespace?: string | undefined; name?: string | undefined },
): string {
  const type = contentType.split(";")[0]?.trim() ?? "";
  const apply = type === "application/apply-patch+yaml";
  if (!apply && type !== "application/merge-patch+json" && type !== "application/strategic-merge-patch+json") {
    return raw;
  }
  let doc: Json;
  try {
    doc = apply ? parseYaml(raw) : JSON.parse(raw);
  } catch {
    return raw;
  }
  const warnings = validateFields(t, doc, query, apply ? "apply" : "decoder", target);
  if (warnings.length === 0 && query.get("fieldValidation") !== "Ignore") return raw;
  warn(res, warnings);
  return JSON.stringify(doc);
}
