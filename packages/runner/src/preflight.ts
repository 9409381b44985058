// Before a run creates anything: can we reach the cluster, and may we do everything the run will
// do? One SelfSubjectRulesReview answers for the whole namespace in one request; whatever it does not
// plainly grant (or everything, when the server does not offer rules reviews) is asked again with a
// SelfSubjectAccessReview each, which is authoritative. All missing permissions come back in ONE
// error, and nothing is created before this passes.
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
import type { KubeConfig, V1ResourceRule } from "@kubernetes/client-node";
import { BUILDX_KUBERNETES_DRIVER_RULES } from "@pr-pod/k8s-job-builder";
import { httpStatusOf, type RetryPolicy, requestOptions as requestOptionsFor } from "./api-retry.ts";
import {
  describePermission,
  type Permission,
  requiredPermissions,
  rulesGrant,
  toResourceAttributes,
} from "./required-permissions.ts";
import { RunCluster } from "./run-cluster.ts";
import { RunnerError } from "./runner-error.ts";

export interface PermissionCheck {
  missing: Permission[];
  /** How the answer was reached, for the preflight event. */
  method: "rules-review" | "access-reviews" | "rules-review+access-reviews";
  requests: number;
}

const ACCESS_REVIEW_CONCURRENCY = 16;

/** Finds every permission in `required` the current user lacks. */
export async function checkPermissions(
  cluster: RunCluster,
  namespace: string,
  required: Permission[],
  signal?: AbortSignal,
): Promise<PermissionCheck> {
  let rules: V1ResourceRule[] | undefined;
  let requests = 1;
  try {
    const review = await cluster.call(`review your permissions in namespace ${namespace}`, signal, (attempt) =>
      cluster.authorization.createSelfSubjectRulesReview(
        { body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } } },
        requestOptionsFor(attempt),
      ),
    );
    rules = review.status?.resourceRules ?? [];
  } catch (error) {
    throwIfAuthFailure(error, cluster.server);
    // 404/405: this API server offers no rules reviews; 403: we may not ask for one. Either way, ask
    // per permission instead.
    if (!isUnsupported(error) && httpStatusOf(error) !== 403) throw error;
  }
  const unsure = rules ? required.filter((permission) => !rulesGrant(rules, permission)) : required;
  if (rules && unsure.length === 0) return { missing: [], method: "rules-review", requests };
  // A rules review may miss grants (webhook authorizers: status.incomplete), so a "not granted" from
  // it is confirmed by an access review before it is reported missing.
  const missing: Permission[] = [];
  for (let start = 0; start < unsure.length; start += ACCESS_REVIEW_CONCURRENCY) {
    const batch = unsure.slice(start, start + ACCESS_REVIEW_CONCURRENCY);
    const answers = await Promise.all(
      batch.map((permission) =>
        cluster.call(`check permission to ${describePermission(permission)}`, signal, (attempt) =>
          cluster.authorization.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: "authorization.k8s.io/v1",
                kind: "SelfSubjectAccessReview",
                spec: { resourceAttributes: toResourceAttributes(permission) },
              },
            },
            requestOptionsFor(attempt),
          ),
        ),
      ),
    ).catch((error) => {
      throwIfAuthFailure(error, cluster.server);
      throw error;
    });
    requests += batch.length;
    answers.forEach((answer, index) => {
      if (!answer.status?.allowed) missing.push(batch[index]!);
    });
  }
  return { missing, method: rules ? "rules-review+access-reviews" : "access-reviews", requests };
}

export interface CheckRunPermissionsOptions {
  namespace: string;
  /** Builds on (the default): the run also creates buildx's Role, so it needs what that Role grants. */
  build?: boolean;
  /** The run would create the namespace. Default false. */
  createNamespace?: boolean;
  /** The run carries local changes (run --source) in a ConfigMap. Default false. */
  localChanges?: boolean;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
}

export interface RunPermissionsCheck extends PermissionCheck {
  /** Everything a run with these options needs, in a stable order. */
  required: Permission[];
}

/**
 * Asks the cluster whether the kubeconfig's user may do everything a run needs in `namespace`, the way a
 * run's own preflight does (one rules review, access reviews only for what it does not plainly grant).
 * `missing` is empty when a run may go ahead. Throws RunnerError UNAUTHORIZED on a 401.
 */
export async function checkRunPermissions(
  kubeConfig: KubeConfig,
  options: CheckRunPermissionsOptions,
): Promise<RunPermissionsCheck> {
  const required = requiredPermissions({
    namespace: options.namespace,
    createNamespace: options.createNamespace ?? false,
    roleRules: (options.build ?? true) ? BUILDX_KUBERNETES_DRIVER_RULES.map((rule) => ({ ...rule })) : [],
    localChanges: options.localChanges ?? false,
  });
  const cluster = new RunCluster(kubeConfig, options.retry);
  const check = await checkPermissions(cluster, options.namespace, required, options.signal);
  return { ...check, required };
}

/** The single preflight error: every missing permission, and how to get them. */
export function missingPermissionsError(missing: Permission[], namespace: string): RunnerError {
  const lines = missing.map((permission) => `  - ${describePermission(permission)}`);
  return new RunnerError(
    "FORBIDDEN",
    [
      `your Kubernetes credentials lack ${missing.length} permission${missing.length === 1 ? "" : "s"} a run needs (nothing was created):`,
      ...lines,
      `Ask a cluster admin to grant them, e.g. \`kubectl create rolebinding pr-pod-runner --clusterrole=admin --user=<you> -n ${namespace}\`, or use another namespace or kubeconfig context.`,
    ].join("\n"),
    { missingPermissions: missing.map(describePermission) },
  );
}

function isUnsupported(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 404 || status === 405 || status === 501;
}

function throwIfAuthFailure(error: unknown, server: string | undefined): void {
  if (httpStatusOf(error) === 401) {
    throw new RunnerError(
      "UNAUTHORIZED",
      `the API server${server ? ` at ${server}` : ""} rejected your credentials (401): refresh them (e.g. log in again) or pick another kubeconfig context`,
      { cause: error },
    );
  }
}
