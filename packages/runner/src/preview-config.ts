// The config file's `preview` section: its types and its validation, pure (no cluster, no helm), so
// loading a config file (pr-pod render, the run's settings) does not load the preview packages.
import type { BuiltImage, ImageValuesMapping } from "@pr-pod/preview-deploy";
import type { TestJobSpec } from "@pr-pod/preview-tests";
import { RunnerError } from "./runner-error.ts";

export interface PreviewChartConfig {
  /** Chart folder, relative to the repository root. */
  path: string;
  /** Default: the chart folder's name. */
  release?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
  /** Which built image goes to which values keys (default image.repository / image.tag for one image). */
  images?: ImageValuesMapping[];
}

/** The config file's `preview` section. */
export interface PreviewConfig {
  /** Default `pr-<number>-<repo>`. */
  namespace?: string;
  /** helm --wait timeout per chart (default 300). */
  timeoutSeconds?: number;
  /** With keep: how long the preview lives before `pr-pod cleanup` removes it (default 24). */
  ttlHours?: number;
  quota?: Record<string, string>;
  limits?: { default?: Record<string, string>; defaultRequest?: Record<string, string> };
  charts: PreviewChartConfig[];
  /** Image references to deploy when the run did not build any (or builds none itself). */
  images?: BuiltImage[];
  tests?: TestJobSpec[];
}

const fail = (where: string, expected: string, value: unknown) =>
  new RunnerError("INVALID_CONFIG", `${where} must be ${expected}, got ${JSON.stringify(value)}`);

function record(value: unknown, where: string, keys: Record<string, (v: unknown, w: string) => unknown>) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(where, "a map", value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const check = keys[key];
    if (!check) {
      throw new RunnerError(
        "INVALID_CONFIG",
        `${where} has an unknown key "${key}": the keys are ${Object.keys(keys).join(", ")}`,
      );
    }
    if (item !== undefined && item !== null) out[key] = check(item, `${where}.${key}`);
  }
  return out;
}
const text = (v: unknown, w: string) => {
  if (typeof v !== "string" || v.trim() === "") throw fail(w, "a non-empty string", v);
  return v;
};
const positive = (v: unknown, w: string) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw fail(w, "a whole number above 0", v);
  return v;
};
const texts = (v: unknown, w: string) => {
  if (!Array.isArray(v) || v.some((i) => typeof i !== "string" || i === ""))
    throw fail(w, "a list of non-empty strings", v);
  return v;
};
const stringMap = (v: unknown, w: string) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail(w, "a map of strings", v);
  return Object.fromEntries(
    Object.entries(v).map(([k, i]) => {
      if (typeof i !== "string" && typeof i !== "number" && typeof i !== "boolean")
        throw fail(`${w}.${k}`, "a string", i);
      return [k, String(i)];
    }),
  );
};
const listOf = (check: (v: unknown, w: string) => unknown) => (v: unknown, w: string) => {
  if (!Array.isArray(v)) throw fail(w, "a list", v);
  return v.map((item, i) => check(item, `${w}[${i}]`));
};
const imageMapping = (v: unknown, w: string) => record(v, w, { source: text, repositoryKey: text, tagKey: text });

/** Validates the config file's `preview` section; `where` names it in errors (`pr-pod.config.yaml: preview`). */
export function validatePreviewConfig(value: unknown, where: string): PreviewConfig {
  const config = record(value, where, {
    namespace: text,
    timeoutSeconds: positive,
    ttlHours: positive,
    quota: stringMap,
    limits: (v, w) => record(v, w, { default: stringMap, defaultRequest: stringMap }),
    charts: listOf((v, w) =>
      record(v, w, { path: text, release: text, valuesFiles: texts, set: stringMap, images: listOf(imageMapping) }),
    ),
    images: listOf((v, w) => record(v, w, { source: text, repository: text, tag: text, digest: text })),
    tests: listOf((v, w) =>
      record(v, w, {
        name: text,
        image: text,
        command: texts,
        env: stringMap,
        junitPath: text,
        timeoutSeconds: positive,
      }),
    ),
  }) as unknown as PreviewConfig;
  if (!Array.isArray(config.charts) || config.charts.length === 0) {
    throw new RunnerError("INVALID_CONFIG", `${where}.charts must list at least one chart (path: the chart folder)`);
  }
  config.charts.forEach((chart, i) => {
    if (!chart.path)
      throw new RunnerError("INVALID_CONFIG", `${where}.charts[${i}].path is required (the chart folder)`);
  });
  config.tests?.forEach((test, i) => {
    for (const key of ["name", "image", "command"] as const) {
      if (!test[key]) throw new RunnerError("INVALID_CONFIG", `${where}.tests[${i}].${key} is required`);
    }
  });
  config.images?.forEach((image, i) => {
    for (const key of ["source", "repository", "tag"] as const) {
      if (!image[key]) throw new RunnerError("INVALID_CONFIG", `${where}.images[${i}].${key} is required`);
    }
  });
  return config;
}
