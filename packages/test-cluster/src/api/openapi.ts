// Just enough OpenAPI v3 for kubectl: the root index of group-versions, and per group-version the
// PATCH operations with their x-kubernetes-group-version-kind and the fieldValidation parameter,
// which is how kubectl decides to leave validation to the server instead of downloading schemas.
// (There are no schemas: `kubectl explain` and client-side validation get nothing useful.)
import { createHash } from "node:crypto";
import type { Json } from "../json.ts";
import { apiVersionOf, groupVersions, resourceTypes } from "./resource-types.ts";

const pathOf = (gv: string) => (gv.includes("/") ? `apis/${gv}` : `api/${gv}`);
const hashOf = (gv: string) =>
  createHash("sha512")
    .update(JSON.stringify(openApiGroupVersion(gv)))
    .digest("hex")
    .toUpperCase()
    .slice(0, 128);

export function openApiRoot(): Json {
  const paths: Json = {};
  for (const gv of groupVersions)
    paths[pathOf(gv)] = { serverRelativeURL: `/openapi/v3/${pathOf(gv)}?hash=${hashOf(gv)}` };
  return { paths };
}

const queryParameter = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });

export function openApiGroupVersion(gv: string): Json | undefined {
  const types = resourceTypes.filter((t) => apiVersionOf(t) === gv && !t.virtual);
  if (!resourceTypes.some((t) => apiVersionOf(t) === gv)) return undefined;
  const paths: Json = {};
  for (const t of types) {
    const base = `/${pathOf(gv)}${t.namespaced ? "/namespaces/{namespace}" : ""}/${t.resource}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${t.namespaced ? "Namespaced" : ""}${t.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: t.group, version: t.version, kind: t.kind },
        parameters: ["dryRun", "fieldManager", "fieldValidation", "force"].map(queryParameter),
        responses: { "200": { description: "OK" } },
      },
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.35.0" },
    paths,
    components: { schemas: {} },
  };
}
