// The pure half: preview namespace names, the namespace's objects, helm command lines and the
// mapping of built images to chart values.
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  buildHelmUpgradeArgs,
  buildPreviewNamespaceObjects,
  expiredPreviews,
  imageSetValues,
  PreviewConfigError,
  previewNamespaceName,
  readinessProbeFailure,
} from "../src/index.ts";

describe("previewNamespaceName", () => {
  it("is pr-<number>-<repo> for an ordinary repo", () => {
    expect(previewNamespaceName({ repo: "octo-org/Web_App", pr: 12 })).toBe("pr-12-web-app");
  });

  it("stays a valid label of at most 63 characters for a very long repo, and differs per repo", () => {
    const a = previewNamespaceName({ repo: `org/${"a".repeat(80)}`, pr: 123456 });
    const b = previewNamespaceName({ repo: `org/${"a".repeat(81)}`, pr: 123456 });
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
  });

  it("names a local run of no pull request pr-local-<repo>, and refuses a number that is not whole", () => {
    expect(previewNamespaceName({ repo: "o/r", pr: 0 })).toBe("pr-local-r");
    expect(() => previewNamespaceName({ repo: "o/r", pr: 1.5 })).toThrow(PreviewConfigError);
  });
});

describe("buildPreviewNamespaceObjects", () => {
  it("binds the preview ServiceAccount with a Role inside its namespace only, with quota and limits", () => {
    const objects = buildPreviewNamespaceObjects({
      repo: "o/web",
      pr: 7,
      namespace: "pr-7-web",
      quota: { pods: "10" },
      containerDefaults: { default: { cpu: "500m" } },
      expiresAt: new Date("2026-12-04T00:00:00Z"),
    });
    expect(objects.map((o) => o.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "ResourceQuota",
      "LimitRange",
    ]);
    expect(objects.some((o) => o.kind.startsWith("Cluster"))).toBe(false);
    expect(objects[0]?.metadata.annotations).toEqual({ "pr-pod.dev/expires-at": "2026-12-04T00:00:00.000Z" });
    expect(objects[3]?.subjects).toEqual([{ kind: "ServiceAccount", name: "pr-pod-preview", namespace: "pr-7-web" }]);
  });

  it("refuses a namespace name that is not a DNS-1123 label, saying how to fix it", () => {
    expect(() => buildPreviewNamespaceObjects({ repo: "o/r", pr: 1, namespace: "PR_1" })).toThrow(
      /not a valid DNS-1123 label.*preview.namespace/,
    );
  });
});

describe("helm arguments", () => {
  it("upgrades or installs with --wait, values files, --sets and the built image", () => {
    expect(
      buildHelmUpgradeArgs({
        release: "web",
        chart: "/src/charts/web",
        namespace: "pr-7-web",
        valuesFiles: ["/src/charts/web/values-preview.yaml"],
        set: { replicaCount: "2", "ingress.hosts": "a,b" },
        images: [{ source: "web", repository: "registry.local/web", tag: "1.10" }],
        timeoutSeconds: 120,
      }),
    ).toEqual([
      "upgrade",
      "--install",
      "web",
      "/src/charts/web",
      "--namespace",
      "pr-7-web",
      "--wait",
      "--timeout",
      "120s",
      "--values",
      "/src/charts/web/values-preview.yaml",
      "--set",
      "replicaCount=2",
      "--set",
      "ingress.hosts=a\\,b",
      "--set-string",
      "image.repository=registry.local/web",
      "--set-string",
      "image.tag=1.10",
    ]);
  });

  it("maps several images by the config's values keys, and names the fix when a mapping is missing", () => {
    const images = [
      { source: "web", repository: "r/web", tag: "t1" },
      { source: "api/Dockerfile", repository: "r/api", tag: "t2", digest: "sha256:abc" },
    ];
    expect(
      imageSetValues(images, [
        { source: "web", repositoryKey: "web.image.repository", tagKey: "web.image.tag" },
        { source: "api/Dockerfile", repositoryKey: "api.image.repository", tagKey: "api.image.tag" },
      ]),
    ).toEqual({
      "web.image.repository": "r/web",
      "web.image.tag": "t1",
      "api.image.repository": "r/api",
      "api.image.tag": "t2@sha256:abc",
    });
    expect(() => imageSetValues(images, undefined)).toThrow(/built 2 images.*add preview.images entries/);
    expect(() => imageSetValues(images, [{ source: "worker", repositoryKey: "a", tagKey: "b" }])).toThrow(
      /names source "worker" but this run built "web", "api\/Dockerfile"/,
    );
  });

  it("refuses a release name Helm would refuse", () => {
    expect(() => buildHelmUpgradeArgs({ release: "Web_1", chart: "c", namespace: "n" })).toThrow(
      /release name "Web_1" is not valid/,
    );
  });
});

describe("expiredPreviews", () => {
  it("picks kept previews past their expiry, and unannotated ones a day after creation", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    const previews = [
      { namespace: "kept-expired", expiresAt: "2026-12-03T11:59:59Z", createdAt: "2026-12-03T11:00:00Z" },
      { namespace: "kept-alive", expiresAt: "2026-12-04T00:00:00Z", createdAt: "2026-11-01T00:00:00Z" },
      { namespace: "orphan-old", createdAt: "2026-12-02T11:00:00Z" },
      { namespace: "orphan-new", createdAt: "2026-12-03T11:00:00Z" },
    ];
    expect(expiredPreviews(previews, now).map((p) => p.namespace)).toEqual(["kept-expired", "orphan-old"]);
  });
});

describe("readinessProbeFailure", () => {
  const pod = (ready: boolean, failureThreshold?: number): V1Pod => ({
    metadata: {
      name: "shop-web-7d9f-abcde",
      uid: "u1",
      labels: { "pod-template-hash": "7d9f" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "shop-web-7d9f", uid: "r1", controller: true },
      ],
    },
    spec: {
      containers: [{ name: "web", ...(failureThreshold ? { readinessProbe: { failureThreshold } } : {}) }],
    },
    status: {
      phase: "Running",
      containerStatuses: [{ name: "web", ready, restartCount: 0, image: "x", imageID: "", state: { running: {} } }],
    },
  });
  const unhealthy = (count: number, message = "Readiness probe failed: HTTP probe failed with statuscode: 503") =>
    ({
      reason: "Unhealthy",
      message,
      count,
      involvedObject: { kind: "Pod", name: "shop-web-7d9f-abcde", uid: "u1", fieldPath: "spec.containers{web}" },
      metadata: {},
    }) as CoreV1Event;

  it("waits for as many failures as the probe's failureThreshold (default 3)", () => {
    expect(readinessProbeFailure(pod(false), unhealthy(2))).toBeUndefined();
    expect(readinessProbeFailure(pod(false), unhealthy(3))).toEqual({
      workload: "deployment/shop-web",
      pod: "shop-web-7d9f-abcde",
      container: "web",
      reason: "ReadinessProbeFailed",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503 (3 times in a row, failureThreshold 3)",
    });
    expect(readinessProbeFailure(pod(false, 1), unhealthy(1))?.reason).toBe("ReadinessProbeFailed");
  });

  it("ignores a pod that became ready, liveness failures, and reads the kubelet's combined events", () => {
    expect(readinessProbeFailure(pod(true), unhealthy(5))).toBeUndefined();
    expect(readinessProbeFailure(pod(false), unhealthy(5, "Liveness probe failed: timeout"))).toBeUndefined();
    expect(
      readinessProbeFailure(pod(false), unhealthy(12, "(combined from similar events): Readiness probe failed: 503"))
        ?.message,
    ).toBe("Readiness probe failed: 503 (12 times in a row, failureThreshold 3)");
  });
});
