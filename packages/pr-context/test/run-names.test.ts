import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_RUN_NAME_LENGTH,
  prPodAnnotations,
  prPodEnv,
  prPodLabels,
  prPodRunName,
  prPodSelector,
  toLabelValue,
} from "../src/index.ts";
import { sampleContext } from "./fixtures.ts";
import {
  areValidAnnotations,
  isDns1123Label,
  isEnvVarName,
  isLabelValue,
  isQualifiedName,
} from "./kubernetes-validation.ts";

const anyText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("/", ".", "-", "_", " ", "é", "🚀", "a", "Z", "9"), maxLength: 200 }),
  fc.constantFrom("", "...", "---", "/", "🚀🚀", "ñandú", ".github", "_private", "a".repeat(100)),
);
const anyContext = fc
  .record({
    owner: anyText,
    repo: anyText,
    number: fc.oneof(fc.integer({ min: 1, max: 2_147_483_647 }), fc.constantFrom(1, 99999)),
    headSha: fc.oneof(fc.stringMatching(/^[0-9a-f]{40}$/), anyText),
    headRef: anyText,
    baseRef: anyText,
    title: anyText,
  })
  .map((fields) => sampleContext(fields));

describe("prPodRunName", () => {
  it("is pr-pod-<repo>-<pr>-<sha7> for an ordinary PR", () => {
    expect(prPodRunName(sampleContext())).toBe("pr-pod-hello-world-42-6dcb09b");
  });

  it("cuts a long repo name and adds a hash so two long names that share a prefix stay distinct", () => {
    const a = prPodRunName(sampleContext({ repo: `${"x".repeat(80)}-a` }));
    const b = prPodRunName(sampleContext({ repo: `${"x".repeat(80)}-b` }));
    expect(a.length).toBeLessThanOrEqual(MAX_RUN_NAME_LENGTH);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^pr-pod-x+-[0-9a-f]{8}-42-6dcb09b$/);
  });

  it("keeps a repo whose name sanitizes to nothing apart from another such repo", () => {
    const a = prPodRunName(sampleContext({ repo: "🚀" }));
    const b = prPodRunName(sampleContext({ repo: "🛸" }));
    expect(a).toMatch(/^pr-pod-[0-9a-f]{8}-42-6dcb09b$/);
    expect(a).not.toBe(b);
  });

  it("is stable: the same PR always gets the same name", () => {
    const context = sampleContext({ repo: "Some.Repo_Name" });
    expect(prPodRunName(context)).toBe(prPodRunName({ ...context }));
  });

  it("gives different owners' repos of the same name different names when the name is not plain", () => {
    expect(prPodRunName(sampleContext({ owner: "a", repo: "App" }))).not.toBe(
      prPodRunName(sampleContext({ owner: "b", repo: "App" })),
    );
  });
});

describe("labels, selector, annotations and env", () => {
  it("labels an ordinary PR with readable values", () => {
    expect(prPodLabels(sampleContext())).toEqual({
      "app.kubernetes.io/name": "pr-pod",
      "app.kubernetes.io/managed-by": "pr-pod",
      "app.kubernetes.io/instance": "pr-pod-hello-world-42-6dcb09b",
      "pr-pod.dev/owner": "octo-org",
      "pr-pod.dev/repo": "hello-world",
      "pr-pod.dev/pr": "42",
      "pr-pod.dev/head-sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    });
  });

  it("selects everything, one repo, or one PR with the same values the labels carry", () => {
    expect(prPodSelector()).toBe("app.kubernetes.io/managed-by=pr-pod");
    expect(prPodSelector({ owner: "octo-org", repo: ".github", number: 7 })).toBe(
      `app.kubernetes.io/managed-by=pr-pod,pr-pod.dev/owner=octo-org,pr-pod.dev/repo=${toLabelValue(".github")},pr-pod.dev/pr=7`,
    );
    const labels = prPodLabels(sampleContext({ repo: ".github" }));
    expect(prPodSelector({ repo: ".github" })).toContain(`pr-pod.dev/repo=${labels["pr-pod.dev/repo"]}`);
  });

  it("puts refs, URLs and the title in annotations, unchanged", () => {
    const context = sampleContext({ title: "Fix: ünïcode / quotes \"'", headRef: "feature/ü" });
    expect(prPodAnnotations(context)).toEqual({
      "pr-pod.dev/head-ref": "feature/ü",
      "pr-pod.dev/base-ref": "main",
      "pr-pod.dev/clone-url": "https://github.com/octo-org/hello-world.git",
      "pr-pod.dev/html-url": "https://github.com/octo-org/hello-world/pull/42",
      "pr-pod.dev/title": "Fix: ünïcode / quotes \"'",
    });
  });

  it("gives the pod every PR_* variable, and PR_BASE_SHA only when the base SHA is known", () => {
    const env = Object.fromEntries(prPodEnv(sampleContext({ isFork: true })).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      PR_REPO: "octo-org/hello-world",
      PR_OWNER: "octo-org",
      PR_NAME: "hello-world",
      PR_NUMBER: "42",
      PR_HEAD_SHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
      PR_HEAD_REF: "feature/login",
      PR_BASE_REF: "main",
      PR_BASE_SHA: "9049f1265b7d61be4a8904a9a27120d2064dab3b",
      PR_CLONE_URL: "https://github.com/octo-org/hello-world.git",
      PR_BASE_CLONE_URL: "https://github.com/octo-org/hello-world.git",
      PR_MERGE_REF: "refs/pull/42/merge",
      PR_IS_FORK: "true",
    });
    const offline = prPodEnv(sampleContext({ baseSha: undefined }));
    expect(offline.map((e) => e.name)).not.toContain("PR_BASE_SHA");
  });
});

describe("for any repo, branch and PR, what Kubernetes sees passes its validation", () => {
  it("the run name is a DNS-1123 label of at most 52 characters, and <run>-token still fits", () => {
    fc.assert(
      fc.property(anyContext, (context) => {
        const name = prPodRunName(context);
        expect(isDns1123Label(name), name).toBe(true);
        expect(name.length).toBeLessThanOrEqual(MAX_RUN_NAME_LENGTH);
        expect(isDns1123Label(`${name}-token`)).toBe(true);
        expect(isDns1123Label(`${name}-abcde`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("label keys and values, annotations and env names are valid", () => {
    fc.assert(
      fc.property(anyContext, (context) => {
        for (const [key, value] of Object.entries(prPodLabels(context))) {
          expect(isQualifiedName(key), key).toBe(true);
          expect(isLabelValue(value), `${key}=${value}`).toBe(true);
        }
        expect(areValidAnnotations(prPodAnnotations(context))).toBe(true);
        for (const { name } of prPodEnv(context)) expect(isEnvVarName(name)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("distinct repos never share a repo label value", () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        fc.pre(a !== b);
        expect(toLabelValue(a)).not.toBe(toLabelValue(b));
      }),
      { numRuns: 500 },
    );
  });
});
