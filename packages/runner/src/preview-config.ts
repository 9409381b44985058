// The config file's `preview` section: its types and its validation, pure (no cluster, no helm), so
// loading a config file (pr-pod render, the run's settings) does not load the preview packages.
import type { BuiltImage, ImageValuesMapping } from "@pr-pod/preview-deploy";
import type { TestJobSpec } from "@pr-pod/preview-tests";
import { type Check, childOf, isObjectOf, isPositiveInteger, isString, problem } from "./config-checks.ts";
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

// Test commands may hold blank arguments (`echo " "`), so their lists only refuse empty strings; values
// given to helm's --set may be true/false as YAML writes them.
const texts: Check = (v, w) => {
  if (!Array.isArray(v) || v.some((i) => typeof i !== "string" || i === ""))
    throw problem(w, "a list of non-empty strings", v);
  return v;
};
const stringMap: Check = (v, w) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw problem(w, "a map of strings", v);
  return Object.fromEntries(
    Object.entries(v).map(([k, i]) => {
      if (typeof i !== "string" && typeof i !== "number" && typeof i !== "boolean")
        throw problem(childOf(w, k), "a string", i);
      return [k, String(i)];
    }),
  );
};
const listOf =
  (check: Check): Check =>
  (v, w) => {
    if (!Array.isArray(v)) throw problem(w, "a list", v);
    return v.map((item, i) => check(item, `${w}[${i}]`));
  };
const imageMapping = isObjectOf({ source: isString, repositoryKey: isString, tagKey: isString });

/** Validates the config file's `preview` section; `where` names it in errors (`pr-pod.config.yaml: preview`). */
export function validatePreviewConfig(value: unknown, where: string): PreviewConfig {
  const config = isObjectOf({
    namespace: isString,
    timeoutSeconds: isPositiveInteger,
    ttlHours: isPositiveInteger,
    quota: stringMap,
    limits: isObjectOf({ default: stringMap, defaultRequest: stringMap }),
    charts: listOf(
      isObjectOf({
        path: isString,
        release: isString,
        valuesFiles: texts,
        set: stringMap,
        images: listOf(imageMapping),
      }),
    ),
    images: listOf(isObjectOf({ source: isString, repository: isString, tag: isString, digest: isString })),
    tests: listOf(
      isObjectOf({
        name: isString,
        image: isString,
        command: texts,
        env: stringMap,
        junitPath: isString,
        timeoutSeconds: isPositiveInteger,
      }),
    ),
  })(value, where) as unknown as PreviewConfig;
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
