// Field validation with the API server's own wording, so 422 Invalid bodies (details.causes) read
// the same. Rules: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
import { deepCopy, type Json, type KubeObject, sameJson } from "../json.ts";
import type { ResourceType } from "./resource-types.ts";
import type { StatusCause } from "./status-error.ts";

const dns1123LabelPattern = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainPattern = `${dns1123LabelPattern}(\\.${dns1123LabelPattern})*`;
const labelValuePattern = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const qualifiedNamePattern = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const configKeyPattern = "[-._a-zA-Z0-9]+";

const full = (pattern: string) => new RegExp(`^${pattern}$`);

export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field };
}

export function requiredValue(field: string, detail?: string): StatusCause {
  return { reason: "FieldValueRequired", message: detail ? `Required value: ${detail}` : "Required value", field };
}

export function unsupportedValue(field: string, value: unknown, supported: string[]): StatusCause {
  return {
    reason: "FieldValueNotSupported",
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(", ")}`,
    field,
  };
}

export function forbiddenField(field: string, detail: string): StatusCause {
  return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
}

export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!full(dns1123LabelPattern).test(value)) {
    errors.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelPattern}')`,
    );
  }
  return errors;
}

export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push("must be no more than 253 characters");
  if (!full(dns1123SubdomainPattern).test(value)) {
    errors.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainPattern}')`,
    );
  }
  return errors;
}

function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!full(labelValuePattern).test(value)) {
    errors.push(
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${labelValuePattern}')`,
    );
  }
  return errors;
}

function qualifiedNameErrors(key: string): string[] {
  const parts = key.split("/");
  const name = parts.length === 2 ? (parts[1] ?? "") : key;
  const errors: string[] = [];
  if (parts.length > 2) {
    errors.push(
      `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNamePattern}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    return errors;
  }
  if (parts.length === 2) {
    for (const e of dns1123SubdomainErrors(parts[0] ?? "")) errors.push(`prefix part ${e}`);
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > 63) errors.push("name part must be no more than 63 characters");
  else if (!full(qualifiedNamePattern).test(name)) {
    errors.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNamePattern}')`,
    );
  }
  return errors;
}

function validateLabels(labels: Json, field: string, causes: StatusCause[]): void {
  if (!labels) return;
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const e of qualifiedNameErrors(key)) causes.push(invalidValue(field, key, e));
    if (typeof value !== "string") continue;
    for (const e of labelValueErrors(value)) causes.push(invalidValue(field, value, e));
  }
}

/** metadata checks every kind shares. */
export function validateObjectMeta(t: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = object.metadata.name;
  if (!name) causes.push(requiredValue("metadata.name", "name or generateName is required"));
  else if (t.nameRule === "label") {
    for (const e of dns1123LabelErrors(name)) causes.push(invalidValue("metadata.name", name, e));
  } else if (t.nameRule === "subdomain") {
    for (const e of dns1123SubdomainErrors(name)) causes.push(invalidValue("metadata.name", name, e));
  } else if (name.includes("/") || name === "." || name === "..") {
    causes.push(invalidValue("metadata.name", name, "may not contain '/'"));
  }
  validateLabels(object.metadata.labels, "metadata.labels", causes);
  for (const key of Object.keys(object.metadata.annotations ?? {})) {
    for (const e of qualifiedNameErrors(key)) causes.push(invalidValue("metadata.annotations", key, e));
  }
  return causes;
}

function validateContainers(containers: Json, field: string, causes: StatusCause[], required: boolean): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    if (required) causes.push(requiredValue(field));
    return;
  }
  const seen = new Set<string>();
  containers.forEach((c: Json, i: number) => {
    const at = `${field}[${i}]`;
    if (!c?.name) causes.push(requiredValue(`${at}.name`));
    else {
      for (const e of dns1123LabelErrors(c.name)) causes.push(invalidValue(`${at}.name`, c.name, e));
      if (seen.has(c.name))
        causes.push({ reason: "FieldValueDuplicate", message: `Duplicate value: "${c.name}"`, field: `${at}.name` });
      seen.add(c.name);
    }
    if (!c?.image) causes.push(requiredValue(`${at}.image`));
  });
}

export function validatePodSpec(spec: Json, field: string, causes: StatusCause[], allowedRestart: string[]): void {
  if (!spec) {
    causes.push(requiredValue(field));
    return;
  }
  validateContainers(spec.initContainers, `${field}.initContainers`, causes, false);
  validateContainers(spec.containers, `${field}.containers`, causes, true);
  if (spec.restartPolicy !== undefined && !allowedRestart.includes(spec.restartPolicy)) {
    causes.push(unsupportedValue(`${field}.restartPolicy`, spec.restartPolicy, allowedRestart));
  }
}

function validateDataKeys(data: Json, field: string, causes: StatusCause[]): void {
  for (const key of Object.keys(data ?? {})) {
    if (!full(configKeyPattern).test(key) || key === "." || key === "..") {
      causes.push(
        invalidValue(
          field,
          key,
          `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${configKeyPattern}')`,
        ),
      );
    }
  }
}

/** Kind-specific rules for create and update. */
export function validateObject(t: ResourceType, object: KubeObject): StatusCause[] {
  const causes = validateObjectMeta(t, object);
  validateKind(t, object, causes);
  // The API server reports an error once, however many places raise it (field.ErrorList.ToAggregate).
  const seen = new Set<string>();
  return causes.filter((cause) => {
    const key = `${cause.field}\u0000${cause.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function validateKind(t: ResourceType, object: KubeObject, causes: StatusCause[]): void {
  switch (t.resource) {
    case "pods":
      validatePodSpec(object.spec, "spec", causes, ["Always", "OnFailure", "Never"]);
      break;
    case "jobs": {
      const template = object.spec?.template;
      if (!template) causes.push(requiredValue("spec.template"));
      else {
        // Validation sees the Job as defaulted: without a manual selector its pods get `job-name` and
        // `batch.kubernetes.io/job-name` labels holding the Job's name, and a Job without labels of its
        // own takes the template's, so a name over 63 characters is refused in both places
        // (https://github.com/kubernetes/kubernetes/issues/50850).
        const name = object.metadata.name;
        const jobNameLabels =
          !object.spec?.manualSelector && typeof name === "string"
            ? { "batch.kubernetes.io/job-name": name, "job-name": name }
            : {};
        const templateLabels = { ...(template.metadata?.labels ?? {}), ...jobNameLabels };
        if (Object.keys(object.metadata.labels ?? {}).length === 0) {
          validateLabels(templateLabels, "metadata.labels", causes);
        }
        validateLabels(templateLabels, "spec.template.labels", causes);
        validatePodSpec(template.spec, "spec.template.spec", causes, ["OnFailure", "Never"]);
        if (template.spec && template.spec.restartPolicy === undefined) {
          causes.push(unsupportedValue("spec.template.spec.restartPolicy", "Always", ["OnFailure", "Never"]));
        }
      }
      for (const field of [
        "backoffLimit",
        "activeDeadlineSeconds",
        "ttlSecondsAfterFinished",
        "parallelism",
        "completions",
      ]) {
        const value = object.spec?.[field];
        if (value !== undefined && value !== null && (typeof value !== "number" || value < 0)) {
          causes.push(invalidValue(`spec.${field}`, value, "must be greater than or equal to 0"));
        }
      }
      if (object.spec?.activeDeadlineSeconds === 0) {
        causes.push(invalidValue("spec.activeDeadlineSeconds", 0, "must be greater than 0"));
      }
      break;
    }
    case "secrets":
      validateDataKeys(object.data, "data", causes);
      validateDataKeys(object.stringData, "stringData", causes);
      break;
    case "configmaps":
      validateDataKeys(object.data, "data", causes);
      validateDataKeys(object.binaryData, "binaryData", causes);
      break;
  }
}

/** base64 as Go's encoding/json decodes []byte (standard alphabet, padding required). */
export function base64Error(value: unknown): string | undefined {
  if (typeof value !== "string") return "json: cannot unmarshal into Go value of type []uint8";
  const clean = value.replace(/[\r\n]/g, "");
  const bad = clean.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  if (clean.length % 4 !== 0) return `illegal base64 data at input byte ${clean.length - (clean.length % 4)}`;
  const pad = clean.indexOf("=");
  if (pad >= 0 && pad < clean.length - 2) return `illegal base64 data at input byte ${pad}`;
  return undefined;
}

/** Fields the API server refuses to change after create. */
export function immutableFieldChanges(
  t: ResourceType,
  before: KubeObject,
  after: KubeObject,
): ReturnType<typeof invalidValue>[] {
  const same = sameJson;
  if (t.resource === "jobs") {
    const causes = [];
    if (!same(before.spec?.selector, after.spec?.selector)) {
      causes.push(invalidValue("spec.selector", after.spec?.selector, "field is immutable"));
    }
    if (!same(before.spec?.template, after.spec?.template)) {
      causes.push(invalidValue("spec.template", after.spec?.template, "field is immutable"));
    }
    if (!same(before.spec?.completions, after.spec?.completions)) {
      causes.push(invalidValue("spec.completions", after.spec?.completions, "field is immutable"));
    }
    return causes;
  }
  if (t.resource === "pods") {
    const strip = (spec: Json) => {
      const copy = deepCopy(spec ?? {});
      for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
      delete copy.activeDeadlineSeconds;
      delete copy.tolerations;
      delete copy.terminationGracePeriodSeconds;
      delete copy.nodeName;
      return copy;
    };
    if (!same(strip(before.spec), strip(after.spec))) {
      return [
        forbiddenField(
          "spec",
          "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ),
      ];
    }
  }
  return [];
}
