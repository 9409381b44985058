// The objects of one run, built from the PR context and the settings. Pure.
// PROVISIONAL: k8s-job-builder's buildPrPodResources replaces the body of this function when it
// lands; until then this builds the same shapes (the pod script itself already comes from there).
import type { V1Job, V1PolicyRule, V1Role, V1RoleBinding, V1ServiceAccount } from "@kubernetes/client-node";
import { buildPrPodScript } from "@pr-pod/k8s-job-builder";
import { buildTokenSecret, TOKEN_SECRET_KEY, tokenSecretName } from "@pr-pod/pat-secret";
import { type PullRequestContext, prPodAnnotations, prPodEnv, prPodLabels, prPodRunName } from "@pr-pod/pr-context";
import type { RunObjectsPlan } from "./create-run-objects.ts";
import type { RunSettings } from "./run-settings.ts";

export interface BuiltRunObjects {
  plan: RunObjectsPlan;
  /** The rules of the Role the pod gets (they go into the permission check). */
  roleRules: V1PolicyRule[];
  jobName: string;
}

const BUILDX_ROLE_RULES: V1PolicyRule[] = [
  {
    apiGroups: ["apps"],
    resources: ["deployments"],
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
  },
  { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
];

export function buildRunObjects(
  context: PullRequestContext,
  settings: RunSettings,
  token: string | undefined,
): BuiltRunObjects {
  const name = prPodRunName(context);
  const namespace = settings.namespace;
  const labels = prPodLabels(context);
  const annotations = prPodAnnotations(context);
  const metadata = { name, namespace, labels, annotations };
  const roleRules = settings.build ? BUILDX_ROLE_RULES : [];

  const serviceAccount: V1ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata,
    automountServiceAccountToken: settings.build,
  };
  const role: V1Role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules: roleRules };
  const roleBinding: V1RoleBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: [{ kind: "ServiceAccount", name, namespace }],
  };
  const env = [
    ...prPodEnv(context),
    { name: "PR_POD_WORKSPACE", value: "/workspace" },
    { name: "PR_POD_TERMINATION_LOG", value: "/dev/termination-log" },
    { name: "PR_POD_CHECKOUT", value: settings.checkout },
    { name: "PR_POD_BUILD", value: String(settings.build) },
    { name: "PR_POD_BAKE", value: String(settings.bake) },
    { name: "PR_POD_BUILDER_NAME", value: name },
    { name: "PR_POD_NAMESPACE", value: namespace },
    {
      name: "PR_POD_BUILDX_DRIVER_OPTS",
      value: Object.entries(settings.buildxDriverOptions)
        .map(([key, value]) => `${key}=${value}`)
        .join(","),
    },
  ];
  const container = {
    name: "pr-pod",
    image: settings.image,
    command: ["sh", "-c", buildPrPodScript(settings.verify ? { verify: settings.verify } : {})],
    env: token
      ? [
          ...env,
          {
            name: "PR_POD_GIT_TOKEN",
            valueFrom: { secretKeyRef: { name: tokenSecretName(context), key: TOKEN_SECRET_KEY } },
          },
        ]
      : env,
    volumeMounts: [{ name: "workspace", mountPath: "/workspace" }],
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "FallbackToLogsOnError",
    ...(settings.resources ? { resources: settings.resources } : {}),
  };
  const job: V1Job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata,
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.timeoutSeconds,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels, annotations },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: name,
          containers: [container],
          volumes: [{ name: "workspace", emptyDir: {} }],
        },
      },
    },
  };
  const dependents: RunObjectsPlan["dependents"] = [];
  if (token) dependents.push({ kind: "Secret", object: buildTokenSecret(context, token, { namespace }) });
  dependents.push(
    { kind: "ServiceAccount", object: serviceAccount },
    { kind: "Role", object: role },
    { kind: "RoleBinding", object: roleBinding },
  );
  return { plan: { job, dependents }, roleRules, jobName: name };
}
