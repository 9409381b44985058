// labelSelector and fieldSelector query parameters, parsed and matched as the API server does.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
import type { KubeObject } from "../json.ts";
import type { ResourceType } from "./resource-types.ts";
import { badRequest } from "./status-error.ts";

type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export type Selector = (object: KubeObject) => boolean;

/** Splits on commas that are not inside a `(...)` value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms.filter((t) => t.length > 0);
}

function parseLabelRequirement(term: string): Requirement {
  const set = term.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/);
  if (set) {
    const values = (set[3] ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { key: set[1] ?? "", op: set[2] as "in" | "notin", values };
  }
  const eq = term.match(/^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/);
  if (eq) return { key: eq[1] ?? "", op: eq[2] === "!=" ? "!=" : "=", value: eq[3] ?? "" };
  const exists = term.match(/^(!?)\s*([^\s!=(),]+)$/);
  if (exists) return { key: exists[2] ?? "", op: exists[1] ? "!exists" : "exists" };
  throw badRequest(`unable to parse requirement: found '${term}', expected: label selector syntax`);
}

export function parseLabelSelector(text: string | undefined): Selector {
  if (!text) return () => true;
  const requirements = splitTerms(text).map(parseLabelRequirement);
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => {
      const value = labels[r.key];
      switch (r.op) {
        case "=":
          return value === r.value;
        case "!=":
          return value !== r.value;
        case "in":
          return value !== undefined && r.values.includes(value);
        case "notin":
          return value === undefined || !r.values.includes(value);
        case "exists":
          return value !== undefined;
        case "!exists":
          return value === undefined;
        default:
          return false;
      }
    });
  };
}

/** Field selectors each resource supports (metadata.name and metadata.namespace everywhere). */
function fieldValue(t: ResourceType, object: KubeObject, field: string): string | undefined {
  if (field === "metadata.name") return object.metadata.name ?? "";
  if (field === "metadata.namespace") return object.metadata.namespace ?? "";
  if (t.resource === "pods") {
    if (field === "status.phase") return object.status?.phase ?? "";
    if (field === "spec.nodeName") return object.spec?.nodeName ?? "";
    if (field === "spec.serviceAccountName") return object.spec?.serviceAccountName ?? "";
    if (field === "spec.restartPolicy") return object.spec?.restartPolicy ?? "";
  }
  if (t.resource === "secrets" && field === "type") return object.type ?? "";
  if (t.resource === "namespaces" && field === "status.phase") return object.status?.phase ?? "";
  if (t.resource === "events") {
    const match = field.match(/^involvedObject\.(kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath)$/);
    if (match?.[1]) return object.involvedObject?.[match[1]] ?? "";
    if (field === "reason" || field === "type" || field === "source") {
      return field === "source" ? (object.source?.component ?? "") : (object[field] ?? "");
    }
  }
  return undefined;
}

export function parseFieldSelector(t: ResourceType, text: string | undefined): Selector {
  if (!text) return () => true;
  const requirements = splitTerms(text).map((term) => {
    const m = term.match(/^([^!=]+)(==|=|!=)(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (m[1] ?? "").trim();
    if (fieldValue(t, { metadata: {} }, field) === undefined) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, negate: m[2] === "!=", value: (m[3] ?? "").trim() };
  });
  return (object) => requirements.every((r) => (fieldValue(t, object, r.field) === r.value) !== r.negate);
}
