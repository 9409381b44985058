import type { V1EnvVar } from "@kubernetes/client-node";
import { tokenSecretName } from "@pr-pod/pat-secret";
import { type PullRequestContext, prPodLabels, prPodRunName } from "@pr-pod/pr-context";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  BUILDX_KUBERNETES_DRIVER_RULES,
  buildPrPodResources,
  buildPrPodScript,
  buildxDriverOpts,
  DEFAULT_IMAGE_TEMPLATE,
  JobBuilderError,
  LOCAL_CHANGES_MOUNT_PATH,
  LocalChangesTooLargeError,
  prPodResourceList,
  REGISTRY_AUTH_MOUNT_PATH,
  renderManifests,
} from "../src/index.ts";

const context: PullRequestContext = {
  owner: "Acme",
  repo: "Web.App",
  number: 42,
  title: 'Fix "quotes" & --- yaml: things',
  author: "dev",
  headSha: "0123456789abcdef0123456789abcdef01234567",
  headRef: "feature/x",
  headCloneUrl: "https://github.com/dev/Web.App.git",
  baseRef: "main",
  baseSha: "89abcdef0123456789abcdef0123456789abcdef",
  baseCloneUrl: "https://github.com/Acme/Web.App.git",
  mergeRef: "refs/pull/42/merge",
  isFork: true,
  draft: false,
  state: "open",
  htmlUrl: "https://github.com/Acme/Web.App/pull/42",
  source: "offline",
};

function envMap(env: V1EnvVar[] | undefined): Record<string, V1EnvVar> {
  return Object.fromEntries((env ?? []).map((e) => [e.name, e]));
}

describe("buildPrPodResources", () => {
  const resources = buildPrPodResources(context, { namespace: "ci" });
  const name = prPodRunName(context);
  const pod = resources.job.spec!.template.spec!;
  const container = pod.containers[0]!;

  it("names every object after the run and labels it with pr-context's labels", () => {
    const objects = prPodResourceList(resources);
    expect(objects.map((o) => o.kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "Job"]);
    for (const object of objects) {
      expect(object.metadata).toMatchObject({ name, namespace: "ci", labels: prPodLabels(context) });
    }
    expect(resources.job.spec!.template.metadata!.labels).toEqual(prPodLabels(context));
    expect(resources.job.metadata!.annotations!["pr-pod.dev/title"]).toBe(context.title);
  });

  it("runs the pod script on docker:24-git once, with no retries and a deadline", () => {
    expect(resources.job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 3600,
    });
    expect(pod).toMatchObject({ restartPolicy: "Never", serviceAccountName: name, automountServiceAccountToken: true });
    expect(container).toMatchObject({
      image: "docker:24-git",
      command: ["/bin/sh", "-c"],
      args: [buildPrPodScript()],
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "FallbackToLogsOnError",
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      volumeMounts: [{ name: "workspace", mountPath: "/workspace" }],
    });
    expect(pod.volumes).toEqual([{ name: "workspace", emptyDir: { sizeLimit: "2Gi" } }]);
  });

  it("gives the script the PR and every path through env, the paths matching the mounts", () => {
    const env = envMap(container.env);
    expect(env.PR_REPO?.value).toBe("Acme/Web.App");
    expect(env.PR_HEAD_SHA?.value).toBe(context.headSha);
    expect(env.PR_BASE_SHA?.value).toBe(context.baseSha);
    expect(env.PR_IS_FORK?.value).toBe("true");
    expect(env.PR_POD_WORKSPACE?.value).toBe(container.volumeMounts![0]!.mountPath);
    expect(env.PR_POD_TERMINATION_LOG?.value).toBe(container.terminationMessagePath);
    expect(env.PR_POD_NAMESPACE?.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
    expect(env.PR_POD_BUILD?.value).toBe("true");
    expect(env.PR_POD_BUILDER_NAME?.value).toBe(name);
    expect(env.PR_POD_CHECKOUT?.value).toBe("head");
    expect(new Set(container.env!.map((e) => e.name)).size).toBe(container.env!.length);
  });

  it("passes the token only as PR_POD_GIT_TOKEN from the run's Secret", () => {
    const tokenVars = container.env!.filter((e) => e.valueFrom?.secretKeyRef);
    expect(tokenVars).toEqual([
      { name: "PR_POD_GIT_TOKEN", valueFrom: { secretKeyRef: { name: tokenSecretName(context), key: "token" } } },
    ]);
    expect(resources.tokenSecretName).toBe(`${name}-token`);
    expect(container.env!.find((e) => e.name === "PR_POD_GIT_TOKEN")?.value).toBeUndefined();
    expect(JSON.stringify(resources)).not.toMatch(/ghp_|github_pat_/);
    const noToken = buildPrPodResources(context, { namespace: "ci", withToken: false });
    expect(noToken.tokenSecretName).toBeUndefined();
    expect(noToken.job.spec!.template.spec!.containers[0]!.env!.some((e) => e.valueFrom?.secretKeyRef)).toBe(false);
  });

  it("grants exactly what buildx's Kubernetes driver needs, in the run's namespace, to the run's ServiceAccount", () => {
    expect(resources.role!.rules).toEqual([
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "create", "delete"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "update", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
    ]);
    expect(resources.role!.rules).toEqual(BUILDX_KUBERNETES_DRIVER_RULES);
    expect(JSON.stringify(resources.role)).not.toContain("*");
    expect(resources.roleBinding).toMatchObject({
      subjects: [{ kind: "ServiceAccount", name, namespace: "ci" }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    });
    expect(resources.serviceAccount.automountServiceAccountToken).toBe(false);
  });

  it("with builds off: no Role, no RoleBinding, no API token in the pod, no builder env", () => {
    const off = buildPrPodResources(context, { namespace: "ci", build: false, bake: true });
    expect(off.role).toBeUndefined();
    expect(off.roleBinding).toBeUndefined();
    expect(prPodResourceList(off).map((o) => o.kind)).toEqual(["ServiceAccount", "Job"]);
    const offPod = off.job.spec!.template.spec!;
    expect(offPod.automountServiceAccountToken).toBe(false);
    const env = envMap(offPod.containers[0]!.env);
    expect(env.PR_POD_BUILD?.value).toBe("false");
    expect(env.PR_POD_BAKE?.value).toBe("false");
    expect(env.PR_POD_BUILDER_NAME).toBeUndefined();
  });

  it("takes image, checkout, deadlines, resources, scheduling and pull secrets from options", () => {
    const custom = buildPrPodResources(context, {
      namespace: "ci",
      image: "registry.example/docker:24-git",
      imagePullPolicy: "Always",
      checkout: "merge",
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: null,
      resources: { requests: { cpu: "1", memory: "2Gi" } },
      workspaceSizeLimit: "10Gi",
      nodeSelector: { "kubernetes.io/arch": "arm64" },
      tolerations: [{ key: "ci", operator: "Exists", effect: "NoSchedule" }],
      imagePullSecrets: ["regcred"],
      builder: { replicas: 2, requests: { cpu: "500m" }, limits: { memory: "4Gi" }, rootless: true, timeout: "300s" },
      verify: ["go.mod"],
      trace: true,
    });
    const spec = custom.job.spec!;
    expect(spec.activeDeadlineSeconds).toBe(600);
    expect("ttlSecondsAfterFinished" in spec).toBe(false);
    const customPod = spec.template.spec!;
    expect(customPod).toMatchObject({
      nodeSelector: { "kubernetes.io/arch": "arm64" },
      tolerations: [{ key: "ci", operator: "Exists", effect: "NoSchedule" }],
      imagePullSecrets: [{ name: "regcred" }],
    });
    const c = customPod.containers[0]!;
    expect(c).toMatchObject({
      image: "registry.example/docker:24-git",
      imagePullPolicy: "Always",
      resources: { requests: { cpu: "1", memory: "2Gi" } },
    });
    expect(customPod.volumes![0]!.emptyDir!.sizeLimit).toBe("10Gi");
    expect(c.args![0]).toContain("pr_pod_verify_one required 'go.mod'");
    const env = envMap(c.env);
    expect(env.PR_POD_CHECKOUT?.value).toBe("merge");
    expect(env.PR_POD_TRACE?.value).toBe("true");
    expect(env.PR_POD_BUILDX_DRIVER_OPTS?.value).toBe(
      "replicas=2,requests.cpu=500m,limits.memory=4Gi,rootless=true,timeout=300s",
    );
  });

  it("quotes driver options that contain commas, as buildx's CSV reader expects", () => {
    expect(buildxDriverOpts({ nodeSelector: { a: "1", b: "2" }, serviceAccount: "builder" })).toBe(
      'serviceaccount=builder,"nodeselector=a=1,b=2"',
    );
  });

  it("pins the base of checkout merge only when asked, and only with a base SHA", () => {
    const envOf = (options: object) =>
      Object.fromEntries(
        (
          buildPrPodResources(context, { namespace: "ci", ...options }).job.spec?.template.spec?.containers[0]?.env ??
          []
        ).map((e) => [e.name, e.value]),
      );
    expect(envOf({ checkout: "merge" }).PR_POD_PIN_BASE).toBeUndefined();
    expect(envOf({ checkout: "merge", pinBaseSha: true }).PR_POD_PIN_BASE).toBe("true");
    expect(() => buildPrPodResources(context, { namespace: "ci", pinBaseSha: true })).toThrow(
      /pinBaseSha pins the base of checkout "merge", but checkout is "head"/,
    );
    const { baseSha: _, ...withoutBase } = context;
    expect(() => buildPrPodResources(withoutBase, { namespace: "ci", checkout: "merge", pinBaseSha: true })).toThrow(
      /pinBaseSha needs the base commit/,
    );
  });

  it("refuses bad options with the value and the fix", () => {
    const bad = (options: object) => () => buildPrPodResources(context, { namespace: "ci", ...options });
    expect(bad({ namespace: "CI_NS" })).toThrow(JobBuilderError);
    expect(bad({ namespace: "CI_NS" })).toThrow(/namespace "CI_NS" is not a valid namespace name/);
    expect(bad({ activeDeadlineSeconds: 0 })).toThrow(/activeDeadlineSeconds is 0: use a whole number of 1 or more/);
    expect(bad({ checkout: "rebase" })).toThrow(/checkout "rebase" is not supported: use "head" or "merge"/);
    expect(bad({ builder: { requests: { cpu: "lots" } } })).toThrow(
      /builder.requests.cpu "lots" is not a Kubernetes quantity/,
    );
    expect(bad({ builder: { timeout: "soon" } })).toThrow(/builder.timeout "soon" is not a duration/);
    expect(bad({ resources: { limits: { memory: "1 GB" } } })).toThrow(/resources.limits.memory "1 GB"/);
    expect(bad({ verify: ["../x"] })).toThrow(/climbs out of the repository/);
  });
});

describe("buildPrPodResources with a registry and a builder choice", () => {
  it("tells the script where to push, how to name images, and mounts the dockerconfigjson Secret read-only", () => {
    const { job } = buildPrPodResources(context, {
      namespace: "ci",
      registry: { host: "registry.ci:5000/previews", insecure: true, credentialsSecret: "push-creds" },
    });
    const pod = job.spec?.template.spec;
    const env = envMap(pod?.containers[0]?.env);
    expect(env.PR_POD_REGISTRY?.value).toBe("registry.ci:5000/previews");
    expect(env.PR_POD_IMAGE_TEMPLATE?.value).toBe(DEFAULT_IMAGE_TEMPLATE);
    expect(env.PR_POD_REGISTRY_INSECURE?.value).toBe("true");
    expect(env.PR_POD_CACHE?.value).toBe("registry");
    expect(env.PR_POD_REGISTRY_AUTH?.value).toBe(`${REGISTRY_AUTH_MOUNT_PATH}/.dockerconfigjson`);
    expect(pod?.volumes).toContainEqual({
      name: "registry-auth",
      secret: { secretName: "push-creds", items: [{ key: ".dockerconfigjson", path: ".dockerconfigjson" }] },
    });
    expect(pod?.containers[0]?.volumeMounts).toContainEqual({
      name: "registry-auth",
      mountPath: REGISTRY_AUTH_MOUNT_PATH,
      readOnly: true,
    });
    // The credentials are only ever a file: no env var carries them.
    expect(JSON.stringify(pod?.containers[0]?.env)).not.toContain("push-creds");
  });

  it("with the remote or docker driver: the endpoint, and no Role or API token (nothing makes pods)", () => {
    for (const builder of [
      { driver: "remote" as const, endpoint: "tcp://buildkitd.ci:1234" },
      { driver: "docker" as const, endpoint: "tcp://dind.ci:2375" },
    ]) {
      const resources = buildPrPodResources(context, { namespace: "ci", builder });
      const env = envMap(resources.job.spec?.template.spec?.containers[0]?.env);
      expect(env.PR_POD_BUILDX_DRIVER?.value).toBe(builder.driver);
      expect(env.PR_POD_BUILDX_ENDPOINT?.value).toBe(builder.endpoint);
      expect(env.PR_POD_BUILDX_DRIVER_OPTS).toBeUndefined();
      expect(resources.role).toBeUndefined();
      expect(resources.job.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    }
  });

  it("refuses a bad registry, template, Secret name, driver or endpoint, saying what to use", () => {
    const bad = (options: Partial<Parameters<typeof buildPrPodResources>[1]>, message: RegExp) =>
      expect(() => buildPrPodResources(context, { namespace: "ci", ...options })).toThrow(message);
    bad(
      { registry: { host: "https://ghcr.io/acme" } },
      /registry "https:\/\/ghcr.io\/acme" is not a registry host: .*without a scheme/,
    );
    bad({ registry: { host: "ghcr.io", imageTemplate: "{registry}/app:latest" } }, /must contain \{target\}/);
    bad(
      { registry: { host: "ghcr.io", credentialsSecret: "Bad_Name" } },
      /credentialsSecret "Bad_Name" is not a Secret name/,
    );
    bad({ builder: { driver: "remote" } }, /needs builder.endpoint/);
    bad({ builder: { driver: "docker-container" as never } }, /use "kubernetes", "remote" or "docker"/);
    bad({ builder: { driver: "remote", endpoint: "buildkitd:1234" } }, /use tcp:\/\/host:port/);
  });
});

describe("buildPrPodResources with localChanges (run --source)", () => {
  const localHead = "fedcba9876543210fedcba9876543210fedcba98";
  const bundle = Buffer.from([1, 2, 3, 0, 255]);
  const diff = Buffer.from("diff --git a/x b/x\n");

  it("adds an immutable ConfigMap owned by name, mounts it read-only and points the script at it", () => {
    const resources = buildPrPodResources(context, {
      namespace: "ci",
      localChanges: { headSha: localHead, bundle, diff },
    });
    const name = prPodRunName(context);
    expect(resources.localChanges).toMatchObject({
      kind: "ConfigMap",
      metadata: { name: `${name}-local-changes`, namespace: "ci", labels: prPodLabels(context) },
      immutable: true,
      data: { "head-sha": localHead },
      binaryData: { "local.bundle": bundle.toString("base64"), "local.diff": diff.toString("base64") },
    });
    const pod = resources.job.spec!.template.spec!;
    expect(pod.volumes).toContainEqual({ name: "local-changes", configMap: { name: `${name}-local-changes` } });
    const container = pod.containers[0]!;
    expect(container.volumeMounts).toContainEqual({
      name: "local-changes",
      mountPath: LOCAL_CHANGES_MOUNT_PATH,
      readOnly: true,
    });
    const env = envMap(container.env);
    expect(env.PR_POD_LOCAL_CHANGES?.value).toBe(LOCAL_CHANGES_MOUNT_PATH);
    expect(env.PR_POD_LOCAL_HEAD_SHA?.value).toBe(localHead);
    expect(prPodResourceList(resources).map((o) => o.kind)).toEqual([
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "ConfigMap",
      "Job",
    ]);
  });

  it("has no ConfigMap, volume or env without localChanges", () => {
    const resources = buildPrPodResources(context, { namespace: "ci" });
    expect(resources.localChanges).toBeUndefined();
    const pod = resources.job.spec!.template.spec!;
    expect(pod.volumes?.map((v) => v.name)).toEqual(["workspace"]);
    expect(pod.containers[0]!.volumeMounts?.map((m) => m.name)).toEqual(["workspace"]);
    expect(pod.containers[0]!.env?.map((e) => e.name)).not.toContain("PR_POD_LOCAL_CHANGES");
  });

  it("refuses changes over the 1 MiB ConfigMap limit, naming the size", () => {
    const big = Buffer.alloc(800 * 1024, 7);
    expect(() =>
      buildPrPodResources(context, { namespace: "ci", localChanges: { headSha: localHead, diff: big } }),
    ).toThrow(LocalChangesTooLargeError);
    expect(() =>
      buildPrPodResources(context, { namespace: "ci", localChanges: { headSha: localHead, diff: big } }),
    ).toThrow(
      "the local changes are 1.04 MiB once encoded (uncommitted changes: 800.0 KiB), over the 1.00 MiB ConfigMap limit",
    );
  });

  it("refuses localChanges with checkout merge or a short head SHA", () => {
    expect(() =>
      buildPrPodResources(context, { namespace: "ci", checkout: "merge", localChanges: { headSha: localHead, diff } }),
    ).toThrow(/checkout "head" only/);
    expect(() => buildPrPodResources(context, { namespace: "ci", localChanges: { headSha: "abc", diff } })).toThrow(
      JobBuilderError,
    );
  });
});

describe("renderManifests", () => {
  const resources = buildPrPodResources(context, { namespace: "ci" });

  it("renders documents that parse back to exactly the objects", () => {
    const text = renderManifests(resources);
    const docs = parseAllDocuments(text);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(docs.map((d) => d.toJS())).toEqual(JSON.parse(JSON.stringify(prPodResourceList(resources))));
  });

  it("never contains the Secret, and says how to create it without putting the token in argv", () => {
    const text = renderManifests(resources);
    expect(text).not.toMatch(/^kind: Secret/m);
    expect(text).toContain(
      `#   printf %s "$GITHUB_PAT" | kubectl -n ci create secret generic ${resources.tokenSecretName} --from-file=token=/dev/stdin`,
    );
    expect(text).toContain(`name: ${resources.tokenSecretName}`); // the secretKeyRef
  });

  it("keeps the script a readable literal block", () => {
    const text = renderManifests(resources, { noHeader: true });
    expect(text.startsWith("---\n")).toBe(true);
    expect(text).toMatch(/args:\n\s+- \|/);
    expect(text).toContain("pr_pod_verify_files() {");
  });
});
