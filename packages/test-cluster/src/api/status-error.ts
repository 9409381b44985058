// API errors as the real server reports them: a metav1.Status body with code, reason, message and
// details. Messages are copied from the API server so clients that match on them keep working.
// https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/status/
import type { Json } from "../json.ts";
import { qualifiedResource, type ResourceType } from "./resource-types.ts";

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "StatusError";
  }

  toStatus(): Json {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): Json {
  const status: Json = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details && Object.keys(details).length > 0) status.details = details;
  status.code = code;
  return status;
}

function resourceDetails(t: ResourceType, name: string | undefined): StatusDetails {
  const details: StatusDetails = {};
  if (name !== undefined) details.name = name;
  if (t.group) details.group = t.group;
  details.kind = t.resource;
  return details;
}

export function notFound(t: ResourceType, name: string): StatusError {
  return new StatusError(404, "NotFound", `${qualifiedResource(t)} "${name}" not found`, resourceDetails(t, name));
}

export function alreadyExists(t: ResourceType, name: string): StatusError {
  return new StatusError(
    409,
    "AlreadyExists",
    `${qualifiedResource(t)} "${name}" already exists`,
    resourceDetails(t, name),
  );
}

export function conflict(t: ResourceType, name: string, why: string): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`,
    resourceDetails(t, name),
  );
}

export const staleObjectMessage =
  "the object has been modified; please apply your changes to the latest version and try again";

export function invalid(t: ResourceType, name: string, causes: StatusCause[]): StatusError {
  const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = texts.length === 1 ? texts[0] : `[${texts.join(", ")}]`;
  const details: StatusDetails = { name };
  if (t.group) details.group = t.group;
  details.kind = t.kind;
  details.causes = causes;
  // The qualified kind, as errors.NewInvalid words it: `Job.batch "x"`, `Pod "x"`.
  const kind = t.group ? `${t.kind}.${t.group}` : t.kind;
  return new StatusError(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, details);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

export function forbidden(t: ResourceType | string, name: string | undefined, why: string): StatusError {
  if (typeof t === "string") return new StatusError(403, "Forbidden", `${t} is forbidden: ${why}`, {});
  const subject = name ? `${qualifiedResource(t)} "${name}"` : qualifiedResource(t);
  return new StatusError(403, "Forbidden", `${subject} is forbidden: ${why}`, resourceDetails(t, name));
}

export function expired(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

export function methodNotSupported(t: ResourceType, verb: string): StatusError {
  return new StatusError(405, "MethodNotAllowed", `${verb} is not supported on resources of kind "${t.resource}"`, {
    ...(t.group ? { group: t.group } : {}),
    kind: t.resource,
  });
}

export function pathNotFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export const unauthorized = (): StatusError => new StatusError(401, "Unauthorized", "Unauthorized");
