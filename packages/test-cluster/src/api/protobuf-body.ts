// kubectl sends typed requests as Kubernetes protobuf: the reviews (SelfSubjectAccessReview for
// `kubectl auth can-i`, SelfSubjectRulesReview for `auth can-i --list`, SelfSubjectReview for
// `auth whoami`) and the objects its imperative commands build (`create secret generic`,
// `create configmap`, `create namespace`, `create serviceaccount`). This reads just those bodies: the
// "k8s\0" envelope (runtime.Unknown) and those kinds' fields, numbered as in k8s.io/api's
// core/v1/generated.proto and apimachinery's meta/v1/generated.proto.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding
import type { Json } from "../json.ts";
import { StatusError } from "./status-error.ts";

type Fields = Map<number, (Buffer | number)[]>;

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error("truncated varint");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

function readFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [length, start] = readVarint(buf, pos);
      value = buf.subarray(start, start + length);
      pos = start + length;
    } else if (wire === 1) {
      value = 0;
      pos += 8;
    } else if (wire === 5) {
      value = 0;
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (fields: Fields, n: number): string | undefined => {
  const v = fields.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
};
const message = (fields: Fields, n: number): Fields | undefined => {
  const v = fields.get(n)?.[0];
  return Buffer.isBuffer(v) ? readFields(v) : undefined;
};

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? "").startsWith("application/vnd.kubernetes.protobuf");
}

const unsupported = () =>
  new StatusError(
    415,
    "UnsupportedMediaType",
    "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
  );

const texts = (fields: Fields, n: number): string[] =>
  (fields.get(n) ?? []).filter(Buffer.isBuffer).map((v) => v.toString("utf8"));
const messages = (fields: Fields, n: number): Fields[] =>
  (fields.get(n) ?? []).filter(Buffer.isBuffer).map((v) => readFields(v));
const flag = (fields: Fields, n: number): boolean | undefined => {
  const v = fields.get(n)?.[0];
  return typeof v === "number" ? v !== 0 : undefined;
};

/** A proto `map<string, V>` (repeated entries with key = 1, value = 2), or undefined when empty. */
function entries(fields: Fields, n: number, value: (v: Buffer) => string): Record<string, string> | undefined {
  const list = fields.get(n) ?? [];
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const entry of list) {
    if (!Buffer.isBuffer(entry)) continue;
    const kv = readFields(entry);
    const v = kv.get(2)?.[0];
    out[text(kv, 1) ?? ""] = value(Buffer.isBuffer(v) ? v : Buffer.alloc(0));
  }
  return out;
}
const utf8 = (v: Buffer) => v.toString("utf8");
const base64 = (v: Buffer) => v.toString("base64");

function setIf(out: Json, key: string, value: unknown): void {
  if (value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0)) out[key] = value;
}

/** meta/v1 ObjectMeta: the fields a client may set on create (the server owns the rest). */
function objectMeta(fields: Fields | undefined): Json {
  const out: Json = {};
  if (!fields) return out;
  setIf(out, "name", text(fields, 1));
  setIf(out, "generateName", text(fields, 2));
  setIf(out, "namespace", text(fields, 3));
  setIf(out, "resourceVersion", text(fields, 6));
  setIf(out, "labels", entries(fields, 11, utf8));
  setIf(out, "annotations", entries(fields, 12, utf8));
  setIf(
    out,
    "ownerReferences",
    messages(fields, 13).map((ref) => {
      const o: Json = { apiVersion: text(ref, 5), kind: text(ref, 1), name: text(ref, 3), uid: text(ref, 4) };
      setIf(o, "controller", flag(ref, 6));
      setIf(o, "blockOwnerDeletion", flag(ref, 7));
      return o;
    }),
  );
  setIf(out, "finalizers", texts(fields, 14));
  return out;
}

/** core/v1 LocalObjectReference / ObjectReference lists: just the names. */
const references = (fields: Fields, n: number) => messages(fields, n).map((ref) => ({ name: text(ref, 1) }));

/** The body of each kind kubectl's imperative `create` commands send, by kind. */
const objectDecoders: Record<string, (raw: Fields, out: Json) => void> = {
  Secret(raw, out) {
    setIf(out, "data", entries(raw, 2, base64));
    setIf(out, "type", text(raw, 3));
    setIf(out, "stringData", entries(raw, 4, utf8));
    setIf(out, "immutable", flag(raw, 5));
  },
  ConfigMap(raw, out) {
    setIf(out, "data", entries(raw, 2, utf8));
    setIf(out, "binaryData", entries(raw, 3, base64));
    setIf(out, "immutable", flag(raw, 4));
  },
  Namespace(raw, out) {
    const spec = message(raw, 2);
    const finalizers = spec ? texts(spec, 1) : [];
    if (finalizers.length > 0) out.spec = { finalizers };
  },
  ServiceAccount(raw, out) {
    setIf(
      out,
      "secrets",
      messages(raw, 2).map((ref) => ({ namespace: text(ref, 2), name: text(ref, 3) })),
    );
    setIf(out, "imagePullSecrets", references(raw, 3));
    setIf(out, "automountServiceAccountToken", flag(raw, 4));
  },
};

/**
 * The JSON equivalent of a protobuf body: the reviews, and the objects kubectl's imperative
 * `create` commands send (Secret, ConfigMap, Namespace, ServiceAccount); throws 415 for anything else.
 */
export function jsonFromProtobuf(body: Buffer): Json {
  if (body.subarray(0, 4).toString("latin1") !== "k8s\0") throw unsupported();
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = message(unknown, 1);
    const kind = typeMeta ? text(typeMeta, 2) : undefined;
    const raw = message(unknown, 2) ?? new Map();
    const decode = kind ? objectDecoders[kind] : undefined;
    if (decode) {
      const object: Json = { apiVersion: typeMeta ? text(typeMeta, 1) : undefined, kind };
      object.metadata = objectMeta(message(raw, 1));
      decode(raw, object);
      return object;
    }
    if (kind === "DeleteOptions") {
      // meta/v1 DeleteOptions, as Helm's typed client sends it when deleting its release Secrets.
      const out: Json = { apiVersion: typeMeta ? text(typeMeta, 1) : undefined, kind };
      const grace = raw.get(1)?.[0];
      if (typeof grace === "number") out.gracePeriodSeconds = grace;
      const pre = message(raw, 2);
      if (pre) {
        out.preconditions = {};
        setIf(out.preconditions, "uid", text(pre, 1));
        setIf(out.preconditions, "resourceVersion", text(pre, 2));
      }
      setIf(out, "orphanDependents", flag(raw, 3));
      setIf(out, "propagationPolicy", text(raw, 4));
      setIf(out, "dryRun", texts(raw, 5));
      return out;
    }
    const spec = message(raw, 2) ?? new Map();
    const out: Json = { apiVersion: typeMeta ? text(typeMeta, 1) : undefined, kind, metadata: {}, spec: {} };
    if (kind === "SelfSubjectReview") return out;
    if (kind === "SelfSubjectRulesReview") {
      const namespace = text(spec, 1);
      if (namespace) out.spec.namespace = namespace;
      return out;
    }
    if (kind !== "SelfSubjectAccessReview") throw unsupported();
    const resource = message(spec, 1);
    if (resource) {
      const names = ["namespace", "verb", "group", "version", "resource", "subresource", "name"];
      const attributes: Json = {};
      names.forEach((name, i) => {
        const value = text(resource, i + 1);
        if (value) attributes[name] = value;
      });
      out.spec.resourceAttributes = attributes;
    }
    const nonResource = message(spec, 2);
    if (nonResource) out.spec.nonResourceAttributes = { path: text(nonResource, 1), verb: text(nonResource, 2) };
    return out;
  } catch (error) {
    if (error instanceof StatusError) throw error;
    throw new StatusError(
      400,
      "BadRequest",
      `the body of the request could not be decoded: ${(error as Error).message}`,
    );
  }
}
