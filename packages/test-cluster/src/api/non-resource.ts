// Paths that are not resources: health, version, discovery and the OpenAPI v3 index.
import type { ServerResponse } from "node:http";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from "./discovery.ts";
import { sendJson } from "./http-io.ts";
import { openApiGroupVersion, openApiRoot } from "./openapi.ts";
import type { RequestInfo } from "./request-info.ts";
import { pathNotFound } from "./status-error.ts";

export const publicPaths = new Set(["/version", "/healthz", "/livez", "/readyz"]);

export function serveNonResource(ctx: { serverAddress: () => string }, info: RequestInfo, res: ServerResponse): void {
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
