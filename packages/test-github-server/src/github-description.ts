// GitHub's own OpenAPI description of api.github.com (npm @octokit/openapi, the file GitHub publishes
// at github.com/github/rest-api-description) as the judge of every request and every answer: path
// parameters, query and body are checked against the operation's declared schemas, and each answer
// against the schema of its status. Schemas are compiled on first use (the description has 800+ paths).
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);

// ajv and ajv-formats are CommonJS with `exports.default`.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

interface JsonSchema {
  [key: string]: unknown;
}

interface ParameterObject {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonSchema;
  $ref?: string;
}

interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonSchema }>; $ref?: string }>;
}

interface Description {
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    parameters: Record<string, ParameterObject>;
    responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
    schemas: Record<string, JsonSchema>;
    examples: Record<string, { value: unknown }>;
  };
}

/** The api.github.com description (OpenAPI 3.0) shipped by @octokit/openapi. */
const description = require("@octokit/openapi/generated/api.github.com.json") as Description;

/** Where an operation lives: `POST /repos/{owner}/{repo}/statuses/{sha}` is `repos/create-commit-status`. */
export interface DescribedOperation {
  operationId: string;
  method: string;
  pathTemplate: string;
  operation: OperationObject;
  pattern: RegExp;
  pathParamNames: string[];
}

/** One thing the description says is wrong with a request or an answer. */
export interface DescriptionProblem {
  /** `path.check_run_id`, `query.per_page`, `body/output/summary`, `response 201/id`. */
  where: string;
  message: string;
}

const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
// Only the components are registered: operations reference them with "#/components/...", which the
// "gh" id below resolves. Compilation happens per schema, on first use.
ajv.addSchema({ components: withNullableEnums(description.components) }, "gh");

/**
 * OpenAPI 3.0's `nullable: true` next to an `enum` means null is allowed too (GitHub sends
 * `"conclusion": null`), but JSON Schema's enum would refuse it: null is added to such enums.
 */
function withNullableEnums<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withNullableEnums) as T;
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = withNullableEnums(value);
  if (copy.nullable === true && Array.isArray(copy.enum) && !copy.enum.includes(null)) copy.enum = [...copy.enum, null];
  return copy as T;
}

function resolveRef<T>(value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  const parts = value.$ref.replace(/^#\//, "").split("/");
  let node: unknown = description;
  for (const part of parts) node = (node as Record<string, unknown>)[part];
  return node as T;
}

/** Rewrites local refs so a schema compiled on its own still finds the shared components. */
function anchored(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/components/', '"$ref":"gh#/components/'));
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    const ref = typeof schema.$ref === "string" ? schema.$ref : undefined;
    validate = ref?.startsWith("#/components/schemas/")
      ? (ajv.getSchema(`gh${ref}`) as ValidateFunction)
      : ajv.compile(anchored(withNullableEnums(schema)));
    compiled.set(key, validate);
  }
  return validate;
}

function problemsOf(errors: ErrorObject[] | null | undefined, where: string): DescriptionProblem[] {
  return (errors ?? []).map((error) => ({
    where: `${where}${error.instancePath}`,
    message: `${error.message ?? "is invalid"}${error.keyword === "enum" ? ` (${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)})` : ""}${error.keyword === "additionalProperties" ? ` (${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)})` : ""}`,
  }));
}

/** The operations the test server serves, looked up in the description (a typo here fails at load). */
export function describeOperations(operationIds: readonly string[]): Map<string, DescribedOperation> {
  const found = new Map<string, DescribedOperation>();
  for (const [pathTemplate, item] of Object.entries(description.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operationIds.includes(operation.operationId)) continue;
      const parameters = (operation.parameters ?? []).map((p) => resolveRef(p));
      const pathParamNames: string[] = [];
      const source = pathTemplate
        .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
        .replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
          pathParamNames.push(name);
          const multi = (parameters.find((p) => p.name === name) as { "x-multi-segment"?: boolean } | undefined)?.[
            "x-multi-segment"
          ];
          return multi ? "(.+)" : "([^/]+)";
        });
      found.set(operation.operationId, {
        operationId: operation.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        operation: { ...operation, parameters },
        pattern: new RegExp(`^${source}$`),
        pathParamNames,
      });
    }
  }
  const missing = operationIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw new Error(`the GitHub description has no operation ${missing.join(", ")}`);
  return found;
}

function coerce(raw: string, schema: JsonSchema | undefined): unknown {
  const type = schema?.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

/** Path and query parameters, typed as the description declares them, with what is wrong with them. */
export function validateParameters(
  described: DescribedOperation,
  pathValues: Record<string, string>,
  query: URLSearchParams,
): {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  pathProblems: DescriptionProblem[];
  queryProblems: DescriptionProblem[];
} {
  const path: Record<string, unknown> = {};
  const typedQuery: Record<string, unknown> = {};
  const pathProblems: DescriptionProblem[] = [];
  const queryProblems: DescriptionProblem[] = [];
  for (const parameter of described.operation.parameters ?? []) {
    if (parameter.in !== "path" && parameter.in !== "query") continue;
    const raw = parameter.in === "path" ? pathValues[parameter.name] : (query.get(parameter.name) ?? undefined);
    const problems = parameter.in === "path" ? pathProblems : queryProblems;
    if (raw === undefined) {
      if (parameter.required) problems.push({ where: `${parameter.in}.${parameter.name}`, message: "is required" });
      continue;
    }
    const value = coerce(raw, parameter.schema);
    const validate = validatorFor(`${described.operationId} ${parameter.in} ${parameter.name}`, parameter.schema ?? {});
    if (!validate(value)) problems.push(...problemsOf(validate.errors, `${parameter.in}.${parameter.name}`));
    (parameter.in === "path" ? path : typedQuery)[parameter.name] = value;
  }
  return { path, query: typedQuery, pathProblems, queryProblems };
}

/** What the description says is wrong with a JSON request body (nothing when it has no body). */
export function validateRequestBody(described: DescribedOperation, body: unknown): DescriptionProblem[] {
  const requestBody = described.operation.requestBody;
  if (!requestBody) return [];
  if (body === undefined) return requestBody.required ? [{ where: "body", message: "is required" }] : [];
  const schema = requestBody.content?.["application/json"]?.schema;
  if (!schema) return [];
  const validate = validatorFor(`${described.operationId} body`, schema);
  return validate(body) ? [] : problemsOf(validate.errors, "body");
}

/**
 * What the description says is wrong with an answer. A status the operation does not list is checked
 * against GitHub's generic error shapes (basic-error; validation-error for 422).
 */
export function validateResponse(described: DescribedOperation, status: number, body: unknown): DescriptionProblem[] {
  const declared = described.operation.responses[String(status)];
  let schema: JsonSchema | undefined;
  let key = `${described.operationId} ${status}`;
  if (declared) {
    schema = resolveRef(declared).content?.["application/json"]?.schema;
    if (!schema)
      return body === undefined || body === "" ? [] : [{ where: `response ${status}`, message: "must be empty" }];
  } else if (status >= 400) {
    key = status === 422 ? "validation-error" : "basic-error";
    schema = { $ref: `#/components/schemas/${key}` };
  } else {
    return [
      { where: `response ${status}`, message: `is not a status the description lists for ${described.operationId}` },
    ];
  }
  const validate = validatorFor(key, schema);
  return validate(body) ? [] : problemsOf(validate.errors, `response ${status}`);
}

/** A deep copy of one of the description's examples (the templates for the server's answers). */
export function descriptionExample<T = Record<string, unknown>>(name: string): T {
  const example = description.components.examples[name];
  if (!example) throw new Error(`the GitHub description has no example ${name}`);
  return structuredClone(example.value) as T;
}
