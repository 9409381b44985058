// Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`, Warn when absent): fields the
// schema does not declare are refused (Strict, 400 BadRequest), reported in a `Warning` header (Warn)
// or silently dropped (Ignore); in every mode they are not stored. The schema is client-node's models
// (each class lists its fields and their types in getAttributeTypeMap), not a hand-written copy.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
// The models module alone: the package's index would also pull in every API client class, which then
// lands in the chunk of client-node that the CLI's run command loads (the bundle shares one chunk).
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";
import { isPlainObject, type Json } from "../json.ts";
import type { ResourceType } from "./resource-types.ts";
import { badRequest, type StatusError } from "./status-error.ts";

interface Attribute {
  baseName: string;
  type: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

/** The kinds checked, with the client-node model class that describes each. */
const modelOfKind: Record<string, string> = {
  Namespace: "V1Namespace",
  ConfigMap: "V1ConfigMap",
  Secret: "V1Secret",
  ServiceAccount: "V1ServiceAccount",
  Pod: "V1Pod",
  Job: "V1Job",
  Role: "V1Role",
  RoleBinding: "V1RoleBinding",
};

const fieldsOfModel = new Map<string, Map<string, string> | undefined>();

function modelFields(name: string): Map<string, string> | undefined {
  if (!fieldsOfModel.has(name)) {
    const model = (models as unknown as Record<string, Partial<Model> | undefined>)[name];
    const attributes = typeof model?.getAttributeTypeMap === "function" ? model.getAttributeTypeMap() : undefined;
    fieldsOfModel.set(name, attributes ? new Map(attributes.map((a) => [a.baseName, a.type])) : undefined);
  }
  return fieldsOfModel.get(name);
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** How a path is spelt: the JSON decoder's `spec.containers[0].x`, or server-side apply's `.spec.containers[name="main"].x`. */
type PathStyle = "decoder" | "apply";

interface Walk {
  style: PathStyle;
  found: string[];
  /** Drop the unknown fields from the object as they are found. */
  prune: boolean;
}

function walk(value: Json, type: string, path: string, w: Walk): void {
  const array = type.match(/^Array<(.+)>$/);
  if (array) {
    if (!Array.isArray(value)) return;
    value.forEach((item: Json, index: number) => {
      const key =
        w.style === "apply" && isPlainObject(item) && typeof item.name === "string"
          ? `[name=${JSON.stringify(item.name)}]`
          : `[${index}]`;
      walk(item, array[1] as string, `${path}${key}`, w);
    });
    return;
  }
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    if (!isPlainObject(value)) return;
    for (const [key, item] of Object.entries(value)) walk(item, map[1] as string, `${path}[${JSON.stringify(key)}]`, w);
    return;
  }
  const fields = modelFields(type);
  if (!fields || !isPlainObject(value)) return; // scalars, Date, IntOrString, `any`: free-form
  for (const [key, item] of Object.entries(value)) {
    // Strategic merge patch directives ($patch, $setElementOrder/...) are not fields.
    if (key.startsWith("$")) continue;
    const fieldPath = w.style === "apply" || path ? `${path}.${key}` : key;
    const fieldType = fields.get(key);
    if (fieldType === undefined) {
      w.found.push(fieldPath);
      if (w.prune) delete value[key];
      continue;
    }
    walk(item, fieldType, fieldPath, w);
  }
}

/** The fields of `object` (a `t` object, patch or apply configuration) its schema does not declare. */
export function unknownFields(t: ResourceType, object: Json, style: PathStyle, prune = false): string[] {
  const model = modelOfKind[t.kind];
  if (!model || !isPlainObject(object)) return [];
  const w: Walk = { style, found: [], prune };
  walk(object, model, "", w);
  return w.found;
}

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const value = query.get("fieldValidation");
  return value === "Strict" || value === "Ignore" ? value : "Warn";
}

/** The 400 a Strict request with unknown fields gets, worded as the API server words it. */
export function unknownFieldsError(
  t: ResourceType,
  fields: string[],
  style: PathStyle,
  target: { namespace?: string | undefined; name?: string | undefined },
): StatusError {
  if (style === "apply") {
    // structured-merge-diff's typed patch conversion.
    const errors = fields.map((f) => `${f}: field not declared in schema`);
    const list = errors.length === 1 ? errors[0] : `errors:\n  ${errors.join("\n  ")}`;
    const groupVersion = t.group ? `${t.group}/${t.version}` : `/${t.version}`;
    const object = target.namespace ? `${target.namespace}/${target.name ?? ""}` : (target.name ?? "");
    return badRequest(`failed to create typed patch object (${object}; ${groupVersion}, Kind=${t.kind}): ${list}`);
  }
  const unknown = fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(", ");
  return badRequest(
    `${t.kind} in version ${JSON.stringify(t.version)} cannot be handled as a ${t.kind}: strict decoding error: ${unknown}`,
  );
}

/** RFC 7234 warning values (code 299), one per unknown field, as the Warning header carries them. */
export function unknownFieldWarnings(fields: string[]): string[] {
  return fields.map((f) => `299 - ${JSON.stringify(`unknown field ${JSON.stringify(f)}`)}`);
}

/**
 * Applies the request's field validation to a body about to be written: throws the Strict 400, or
 * drops the unknown fields and returns the Warning header values (none under Ignore).
 */
export function validateFields(
  t: ResourceType,
  body: Json,
  query: URLSearchParams,
  style: PathStyle,
  target: { namespace?: string | undefined; name?: string | undefined },
): string[] {
  const mode = fieldValidationOf(query);
  const found = unknownFields(t, body, style, mode !== "Strict");
  if (found.length === 0) return [];
  if (mode === "Strict") throw unknownFieldsError(t, found, style, target);
  return mode === "Warn" ? unknownFieldWarnings(found) : [];
}
