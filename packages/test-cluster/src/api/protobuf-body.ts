// kubectl sends typed requests (SelfSubjectAccessReview for `kubectl auth can-i`, SelfSubjectRulesReview
// for `auth can-i --list`,
// SelfSubjectReview for `auth whoami`) as Kubernetes protobuf. This reads just those bodies: the
// "k8s\0" envelope (runtime.Unknown) and the review's fields.
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

/** The JSON equivalent of a protobuf review body; throws 415 for anything else. */
export function reviewFromProtobuf(body: Buffer): Json {
  if (body.subarray(0, 4).toString("latin1") !== "k8s\0") throw unsupported();
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = message(unknown, 1);
    const kind = typeMeta ? text(typeMeta, 2) : undefined;
    const raw = message(unknown, 2) ?? new Map();
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
