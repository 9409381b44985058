// The four PATCH content types: JSON merge patch (RFC 7386), strategic merge patch (lists merged by
// their patchMergeKey, as kubectl sends), JSON patch (RFC 6902) and server-side apply's YAML.
// https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
import { deepCopy, isPlainObject, type Json, sameJson } from "../json.ts";
import { badRequest, StatusError } from "./status-error.ts";

export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return deepCopy(patch);
  const out: Json = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = jsonMergePatch(out[key], value);
  }
  return out;
}

/** patchMergeKey of the lists the API types declare; other lists are replaced whole. */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  imagePullSecrets: "name",
  conditions: "type",
  ownerReferences: "uid",
  envFrom: "",
  tolerations: "",
  finalizers: "$primitive",
  secrets: "name",
  containerStatuses: "name",
  initContainerStatuses: "name",
};

function mergeList(key: string, target: Json[], patch: Json[]): Json[] {
  const mergeKey = mergeKeys[key];
  if (mergeKey === "$primitive") return [...new Set([...target, ...patch])];
  if (!mergeKey) return patch.filter((item) => !(isPlainObject(item) && item.$patch));
  const out = deepCopy(target);
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const index = out.findIndex((existing: Json) => existing?.[mergeKey] === item[mergeKey]);
    if (item.$patch === "delete") {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = strategicMergePatch(out[index], item);
    else out.push(strategicMergePatch({}, item));
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return deepCopy(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return deepCopy(rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: Json = isPlainObject(target) ? deepCopy(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/")) continue;
    const primitiveDelete = key.match(/^\$deleteFromPrimitiveList\/(.+)$/);
    if (primitiveDelete?.[1]) {
      const list = primitiveDelete[1];
      if (Array.isArray(out[list])) out[list] = out[list].filter((v: Json) => !(value as Json[]).includes(v));
      continue;
    }
    if (value === null) delete out[key];
    else if (Array.isArray(value) && Array.isArray(out[key])) out[key] = mergeList(key, out[key], value);
    else if (Array.isArray(value)) out[key] = mergeList(key, [], value);
    else {
      const merged = strategicMergePatch(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const key of Object.keys(out)) if (!patch.$retainKeys.includes(key)) delete out[key];
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/"))
    throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[], op: string, path: string): { parent: Json; key: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : node?.[part];
    if (node === undefined || node === null) {
      throw new StatusError(422, "Invalid", `doc is missing path: "${path}": missing value`);
    }
  }
  if (node === undefined)
    throw new StatusError(422, "Invalid", `${op} operation does not apply: doc is missing path: "${path}"`);
  return { parent: node, key: parts[parts.length - 1] ?? "" };
}

function getAt(doc: Json, path: string): Json {
  let node = doc;
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : node?.[part];
    if (node === undefined) throw new StatusError(422, "Invalid", `doc is missing path: "${path}": missing value`);
  }
  return node;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, pointer(path), "remove", path);
  if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
  if (!(key in parent))
    throw new StatusError(422, "Invalid", `remove operation does not apply: doc is missing path: "${path}"`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return deepCopy(value);
  const { parent, key } = parentOf(doc, parts, replace ? "replace" : "add", path);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (replace) parent[index] = deepCopy(value);
    else parent.splice(index, 0, deepCopy(value));
  } else {
    if (replace && !(key in parent)) {
      throw new StatusError(
        422,
        "Invalid",
        `replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    }
    parent[key] = deepCopy(value);
  }
  return doc;
}

export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations))
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = deepCopy(target);
  for (const op of operations) {
    switch (op?.op) {
      case "add":
        doc = addAt(doc, op.path, op.value, false);
        break;
      case "replace":
        doc = addAt(doc, op.path, op.value, true);
        break;
      case "remove":
        removeAt(doc, op.path);
        break;
      case "move":
        doc = addAt(doc, op.path, removeAt(doc, op.from), false);
        break;
      case "copy":
        doc = addAt(doc, op.path, getAt(doc, op.from), false);
        break;
      case "test":
        if (!sameJson(getAt(doc, op.path), op.value)) {
          throw new StatusError(422, "Invalid", `testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${op?.op}`);
    }
  }
  return doc;
}

/** Leaf paths a document sets, as server-side apply tracks ownership ("f:spec.f:replicas"). */
export function fieldPaths(value: Json, prefix = ""): string[] {
  if (!isPlainObject(value)) return [prefix];
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (prefix === "" && (key === "apiVersion" || key === "kind")) continue;
    if (prefix === "" && key === "metadata") {
      for (const metaKey of ["labels", "annotations"]) {
        for (const k of Object.keys((child as Json)?.[metaKey] ?? {})) paths.push(`metadata.${metaKey}.${k}`);
      }
      continue;
    }
    paths.push(...fieldPaths(child, prefix ? `${prefix}.${key}` : key));
  }
  return paths;
}

export function valueAtPath(doc: Json, path: string): Json {
  let node = doc;
  for (const part of path.split(".")) node = node?.[part];
  return node;
}

/** managedFields' fieldsV1 for a set of paths: {"f:spec": {"f:x": {}}}. */
export function fieldsV1(paths: string[]): Json {
  const root: Json = {};
  for (const path of paths) {
    let node = root;
    for (const part of path.split(".")) node = node[`f:${part}`] ??= {};
  }
  return root;
}

export function pathsOfFieldsV1(fields: Json, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(fields ?? {})) {
    if (!key.startsWith("f:")) continue;
    const path = prefix ? `${prefix}.${key.slice(2)}` : key.slice(2);
    const nested = pathsOfFieldsV1(child, path);
    paths.push(...(nested.length > 0 ? nested : [path]));
  }
  return paths;
}
