// The preview's cluster side: applies the namespace objects (with the caller's credentials), hands
// out a short-lived token for the preview's own ServiceAccount and a kubeconfig holding only that
// token (all helm and the tests ever see), and deletes the preview, waiting until nothing is left.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
} from "@kubernetes/client-node";
import { stringify } from "yaml";
import {
  type KubeObject,
  PREVIEW_EXPIRES_ANNOTATION,
  PREVIEW_LABELS,
  PREVIEW_SERVICE_ACCOUNT,
  type PreviewIdentity,
  previewRepoLabel,
} from "./preview-namespace.ts";

const FIELD_MANAGER = "pr-pod";

/** Server-side applies each object in order (re-running a PR updates them in place). */
export async function applyPreviewObjects(kubeConfig: KubeConfig, objects: KubeObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const object of objects) {
    await client.patch(
      object as KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

export interface PreviewCredentials {
  /** A kubeconfig file with the API server and the ServiceAccount's token, nothing else. */
  kubeconfigPath: string;
  /** Removes the kubeconfig file. */
  dispose(): void;
}

/**
 * A TokenRequest token for the preview's ServiceAccount, written into a kubeconfig of its own, so
 * helm and the tests run with rights inside the preview namespace only (never the caller's).
 */
export async function previewCredentials(
  kubeConfig: KubeConfig,
  namespace: string,
  options: { expirationSeconds?: number } = {},
): Promise<PreviewCredentials> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const answer = await core.createNamespacedServiceAccountToken({
    namespace,
    name: PREVIEW_SERVICE_ACCOUNT,
    body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = answer.status?.token;
  if (!token)
    throw new Error(
      `preview: the API server returned no token for ServiceAccount ${namespace}/${PREVIEW_SERVICE_ACCOUNT}`,
    );
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("preview: the kubeconfig has no current cluster");
  const clusterEntry: Record<string, unknown> = { server: cluster.server };
  if (cluster.caData) clusterEntry["certificate-authority-data"] = cluster.caData;
  else if (cluster.caFile) clusterEntry["certificate-authority"] = cluster.caFile;
  if (cluster.skipTLSVerify) clusterEntry["insecure-skip-tls-verify"] = true;
  const dir = mkdtempSync(join(tmpdir(), "pr-pod-preview-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  const user = `system:serviceaccount:${namespace}:${PREVIEW_SERVICE_ACCOUNT}`;
  writeFileSync(
    kubeconfigPath,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "preview", cluster: clusterEntry }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: "preview", context: { cluster: "preview", user, namespace } }],
      "current-context": "preview",
    }),
    { mode: 0o600 },
  );
  return { kubeconfigPath, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Previews made by pr-pod, from their namespaces' labels and annotations; with `of`, only that pull
 * request's (found by its labels, so a preview.namespace from the config file is found too).
 */
export async function listPreviews(kubeConfig: KubeConfig, of?: PreviewIdentity): Promise<PreviewSummary[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const labelSelector = [
    `${PREVIEW_LABELS.component}=preview`,
    ...(of ? [`${PREVIEW_LABELS.repo}=${previewRepoLabel(of.repo)}`, `${PREVIEW_LABELS.pr}=${of.pr}`] : []),
  ].join(",");
  const list = await core.listNamespace({ labelSelector });
  return list.items.map((ns) => ({
    namespace: ns.metadata?.name as string,
    repo: ns.metadata?.labels?.[PREVIEW_LABELS.repo],
    pr: Number(ns.metadata?.labels?.[PREVIEW_LABELS.pr]) || undefined,
    expiresAt: ns.metadata?.annotations?.[PREVIEW_EXPIRES_ANNOTATION],
    createdAt: ns.metadata?.creationTimestamp ? new Date(ns.metadata.creationTimestamp).toISOString() : undefined,
  }));
}

export interface PreviewSummary {
  namespace: string;
  repo?: string;
  pr?: number;
  expiresAt?: string;
  createdAt?: string;
}

/**
 * The kept previews whose `pr-pod.dev/expires-at` has passed (pure). A preview without the
 * annotation was not kept on purpose (a run that died before its teardown): it expires
 * `orphanAfterHours` after its creation.
 */
export function expiredPreviews(previews: PreviewSummary[], now: Date, orphanAfterHours = 24): PreviewSummary[] {
  return previews.filter((p) => {
    const expires = p.expiresAt
      ? Date.parse(p.expiresAt)
      : p.createdAt
        ? Date.parse(p.createdAt) + orphanAfterHours * 3_600_000
        : Number.NaN;
    return Number.isFinite(expires) && expires <= now.getTime();
  });
}

/** Deletes every expired preview (see expiredPreviews) and returns the namespaces removed. */
export async function cleanupExpiredPreviews(
  kubeConfig: KubeConfig,
  options: { now?: Date; orphanAfterHours?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const expired = expiredPreviews(await listPreviews(kubeConfig), options.now ?? new Date(), options.orphanAfterHours);
  for (const preview of expired) {
    await deletePreview(kubeConfig, preview.namespace, options.signal ? { signal: options.signal } : {});
  }
  return expired.map((p) => p.namespace);
}

export interface DeletedPullRequestPreviews {
  /** Every preview namespace of the pull request whose delete the API server accepted. */
  namespaces: string[];
  /** Those still there (terminating) when `waitMs` ran out; Kubernetes finishes them on its own. */
  stillTerminating: string[];
}

/**
 * Deletes every preview of one pull request (kept or left behind), each as `pr-pod preview down`
 * deletes one, all at once: what a closed pull request leaves nothing of. Waits until they are gone,
 * or at most `waitMs` (a namespace can take minutes: its pods' grace, finalizers).
 */
export async function deletePullRequestPreviews(
  kubeConfig: KubeConfig,
  pullRequest: PreviewIdentity,
  options: { signal?: AbortSignal; waitMs?: number } = {},
): Promise<DeletedPullRequestPreviews> {
  const previews = await listPreviews(kubeConfig, pullRequest);
  const waited = options.waitMs === undefined ? undefined : AbortSignal.timeout(options.waitMs);
  const signals = [options.signal, waited].filter((signal) => signal !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const stillTerminating: string[] = [];
  await Promise.all(
    previews.map(async ({ namespace }) => {
      try {
        await deletePreview(kubeConfig, namespace, signal ? { signal } : {});
      } catch (error) {
        if (!waited?.aborted || options.signal?.aborted) throw error;
        stillTerminating.push(namespace);
      }
    }),
  );
  return { namespaces: previews.map((preview) => preview.namespace), stillTerminating };
}

/**
 * Deletes the preview namespace (every release, Secret, pod and the ServiceAccount in it) and
 * resolves once the API server no longer has it. Deleting a preview that is already gone is fine.
 */
export async function deletePreview(
  kubeConfig: KubeConfig,
  namespace: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let resourceVersion: string | undefined;
  try {
    const deleted = await core.deleteNamespace({ name: namespace, propagationPolicy: "Foreground" });
    resourceVersion = (deleted as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return;
    throw error;
  }
  await waitForNamespaceGone(kubeConfig, namespace, { ...options, ...(resourceVersion ? { resourceVersion } : {}) });
}

/**
 * Resolves once the API server no longer has the namespace (a watch for its DELETED event, and one read
 * whenever the watch ends). Rejects when `signal` fires first.
 */
export async function waitForNamespaceGone(
  kubeConfig: KubeConfig,
  namespace: string,
  options: { signal?: AbortSignal; resourceVersion?: string } = {},
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { resourceVersion } = options;
  await new Promise<void>((resolve, reject) => {
    let controller: AbortController | undefined;
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      controller?.abort();
      options.signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(options.signal?.reason ?? new Error("aborted"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const check = () =>
      core.readNamespace({ name: namespace }).then(
        () => undefined,
        (error) => (error.code === 404 ? finish() : undefined),
      );
    new Watch(kubeConfig)
      .watch(
        "/api/v1/namespaces",
        { fieldSelector: `metadata.name=${namespace}`, ...(resourceVersion ? { resourceVersion } : {}) },
        (type) => {
          if (type === "DELETED") finish();
        },
        (error) => {
          // The watch ended (timeout or a dropped connection): one read says whether it is gone.
          if (!finished)
            check().then(
              () => !finished && finish(error ?? new Error(`preview: namespace ${namespace} is still being deleted`)),
            );
        },
      )
      .then((c) => {
        controller = c;
        if (finished) c.abort();
        else void check();
      }, finish);
  });
}

/** The namespace's deletion time when it exists and is being deleted (an earlier teardown still running). */
export async function namespaceTerminatingSince(kubeConfig: KubeConfig, namespace: string): Promise<Date | undefined> {
  try {
    const found = await kubeConfig.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    const since = found.metadata?.deletionTimestamp;
    return since ? new Date(since) : undefined;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}
