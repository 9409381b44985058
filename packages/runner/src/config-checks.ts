// The config file's checks, shared by its sections (run-config, preview-config): each takes a value and
// where it sits (`file.yaml: buildx.replicas`), returns the value, or throws INVALID_CONFIG naming the key
// and what it should be. Pure.
import { RunnerError } from "./runner-error.ts";

export type Check = (value: unknown, where: string) => unknown;

/** `file.yaml: resources.limits.cpu` */
export const childOf = (where: string, key: string) => (where.endsWith(":") ? `${where} ${key}` : `${where}.${key}`);

export const problem = (where: string, expected: string, value: unknown) =>
  new RunnerError("INVALID_CONFIG", `${where} must be ${expected}, got ${JSON.stringify(value)}`);

export const isString: Check = (value, where) => {
  if (typeof value !== "string" || value.trim() === "") throw problem(where, "a non-empty string", value);
  return value;
};
export const isBoolean: Check = (value, where) => {
  if (typeof value !== "boolean") throw problem(where, "true or false", value);
  return value;
};
export const isPositiveInteger: Check = (value, where) => {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0)
    throw problem(where, "a whole number above 0", value);
  return value;
};
export const isStringList: Check = (value, where) => {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string" || item.trim() === "")) {
    throw problem(where, "a list of non-empty strings", value);
  }
  return value;
};
export const isStringMap: Check = (value, where) => {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw problem(where, "a map of strings", value);
  const entries = Object.entries(value).map(([key, item]) => {
    if (typeof item === "number") return [key, String(item)];
    if (typeof item !== "string") throw problem(childOf(where, key), "a string", item);
    return [key, item];
  });
  return Object.fromEntries(entries);
};
export const isObjectOf =
  (fields: Record<string, Check>): Check =>
  (value, where) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw problem(where, "a map", value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const check = fields[key];
      if (!check) {
        throw new RunnerError(
          "INVALID_CONFIG",
          `${where} has an unknown key "${key}": the keys are ${Object.keys(fields).join(", ")}`,
        );
      }
      if (item !== undefined && item !== null) out[key] = check(item, childOf(where, key));
    }
    return out;
  };
