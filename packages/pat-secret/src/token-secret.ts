// The per-run Secret that carries the GitHub token into the pod. Built here (pure), created and
// deleted in token-secret-client.ts. The Job reads it only through env PR_POD_GIT_TOKEN via
// secretKeyRef { name: tokenSecretName(context), key: TOKEN_SECRET_KEY }.
import type { V1Secret } from "@kubernetes/client-node";
import { type PullRequestContext, prPodLabels, prPodRunName } from "@pr-pod/pr-context/pure";

/** The key inside the Secret that holds the token. */
export const TOKEN_SECRET_KEY = "token";

/** `<run name>-token`: at most 58 characters, a DNS-1123 label. */
export function tokenSecretName(context: PullRequestContext): string {
  return `${prPodRunName(context)}-token`;
}

export interface BuildTokenSecretOptions {
  namespace: string;
  /** The run's Job, once it exists: Kubernetes then deletes the Secret with the Job. */
  ownerJob?: { name: string; uid: string };
}

/** The ownerReference that ties the Secret's lifetime to its Job. */
export function jobOwnerReference(job: { name: string; uid: string }) {
  return { apiVersion: "batch/v1", kind: "Job", name: job.name, uid: job.uid, controller: false };
}

/**
 * An immutable Opaque Secret with the token base64-encoded under `data` (never `stringData`, which
 * some tools echo back in plain text).
 */
export function buildTokenSecret(
  context: PullRequestContext,
  token: string,
  options: BuildTokenSecretOptions,
): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: tokenSecretName(context),
      namespace: options.namespace,
      labels: { ...prPodLabels(context), "app.kubernetes.io/component": "github-token" },
      ...(options.ownerJob ? { ownerReferences: [jobOwnerReference(options.ownerJob)] } : {}),
    },
    type: "Opaque",
    immutable: true,
    data: { [TOKEN_SECRET_KEY]: Buffer.from(token, "utf8").toString("base64") },
  };
}
