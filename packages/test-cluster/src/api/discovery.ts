// Discovery documents (/version, /api, /apis, /api/v1, /apis/<group>/<version>) in the legacy
// (unaggregated) format, which kubectl and client-go fall back to when it is all a server offers.
// https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api
import { createHash } from "node:crypto";
import type { Json } from "../json.ts";
import { apiVersionOf, resourceTypes } from "./resource-types.ts";

export const serverVersion = {
  major: "1",
  minor: "35",
  emulationMajor: "1",
  emulationMinor: "35",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "34",
  gitVersion: "v1.35.0-test-cluster",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.25.0",
  compiler: "gc",
  platform: "linux/amd64",
};

function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash("sha256").update(`${group}/${version}/${kind}`).digest("base64").slice(0, 11);
}

export function apiVersions(serverAddress: string): Json {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupOf(name: string): Json {
  const versions = [...new Set(resourceTypes.filter((t) => t.group === name).map((t) => t.version))].map((version) => ({
    groupVersion: `${name}/${version}`,
    version,
  }));
  return { name, versions, preferredVersion: versions[0] };
}

export function groupNames(): string[] {
  return [...new Set(resourceTypes.filter((t) => t.group !== "").map((t) => t.group))];
}

export function apiGroupList(): Json {
  return { kind: "APIGroupList", apiVersion: "v1", groups: groupNames().map(groupOf) };
}

export function apiGroup(name: string): Json | undefined {
  if (!groupNames().includes(name)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupOf(name) };
}

export function apiResourceList(group: string, version: string): Json | undefined {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Json[] = [];
  for (const t of types) {
    const entry: Json = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
    if (t.categories.length > 0) entry.categories = t.categories;
    if (!t.virtual) entry.storageVersionHash = storageVersionHash(group, version, t.kind);
    resources.push(entry);
    for (const [sub, verbs] of Object.entries(t.subresources)) {
      resources.push({ name: `${t.resource}/${sub}`, singularName: "", namespaced: t.namespaced, kind: t.kind, verbs });
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf(types[0] as (typeof types)[0]),
    resources,
  };
}
