// One preview deploy: namespace objects, the ServiceAccount's credentials, then for each chart
// `helm upgrade --install --wait` while the namespace's pods are watched, so a pod that cannot
// become ready (ImagePullBackOff, CrashLoopBackOff...) ends the deploy the moment the cluster says
// so, not at helm's timeout. Re-running upgrades the same releases in place.
import { KubeConfig } from "@kubernetes/client-node";
import { buildHelmUpgradeArgs, type HelmChartRelease } from "./helm-release.ts";
import { diagnoseNotReady, type NotReadyDiagnosis, watchForHopelessPods } from "./not-ready-diagnosis.ts";
import {
  applyPreviewObjects,
  namespaceTerminatingSince,
  type PreviewCredentials,
  previewCredentials,
  waitForNamespaceGone,
} from "./preview-cluster.ts";
import {
  buildPreviewNamespaceObjects,
  PREVIEW_SERVICE_ACCOUNT,
  type PreviewNamespaceInput,
  previewNamespaceName,
} from "./preview-namespace.ts";
import { runHelm } from "./run-helm.ts";

export type PreviewDeployFailure = "not-ready" | "forbidden" | "helm-failed";

export class PreviewDeployError extends Error {
  readonly code = "PREVIEW_DEPLOY_FAILED";
  constructor(
    message: string,
    readonly failure: PreviewDeployFailure,
    readonly release: string,
    readonly diagnoses: NotReadyDiagnosis[] = [],
    readonly helmOutput: string[] = [],
  ) {
    super(message);
    this.name = "PreviewDeployError";
  }
}

export interface DeployPreviewOptions extends Omit<PreviewNamespaceInput, "namespace"> {
  /** The caller's credentials: used only to create the namespace, its ServiceAccount and RBAC. */
  kubeConfig: KubeConfig;
  helmPath: string;
  /** Default: previewNamespaceName({ repo, pr }). */
  namespace?: string;
  charts: Omit<HelmChartRelease, "namespace">[];
  signal?: AbortSignal;
  /** Every helm output line, with the release it belongs to. */
  onLine?: (line: string, release: string) => void;
}

export interface DeployedRelease {
  release: string;
  chart: string;
  durationMs: number;
}

export interface PreviewDeployment {
  namespace: string;
  releases: DeployedRelease[];
  durationMs: number;
  /** Credentials of the preview ServiceAccount, for the tests; call dispose() when done. */
  credentials: PreviewCredentials;
}

function describe(d: NotReadyDiagnosis): string {
  const where = [d.workload, d.pod && `pod ${d.pod}`, d.container && `container ${d.container}`]
    .filter(Boolean)
    .join(", ");
  const logs = d.lastLogLines?.length ? `\n  last log lines:\n${d.lastLogLines.map((l) => `    ${l}`).join("\n")}` : "";
  return `${where}: ${d.reason}${d.message ? `: ${d.message}` : ""}${logs}`;
}

function forbiddenMessage(release: string, namespace: string, output: string[]): string | undefined {
  const line = output.find((l) => / is forbidden: User "system:serviceaccount:/.test(l));
  if (!line) return undefined;
  // `clusterroles.rbac.authorization.k8s.io "x" is forbidden: User "…" cannot get resource "clusterroles" in API group "…" at the cluster scope`
  const object = line.match(/([a-z0-9.]+) "([^"]+)" is forbidden/);
  const what = line.match(
    /cannot (\w+) resource "[^"]+" in API group "[^"]*" (at the cluster scope|in the namespace "[^"]+")/,
  );
  const target = object ? `${object[1]} "${object[2]}"` : "an object";
  const detail = what ? `${target} ${what[2]} (refused: ${what[1]})` : line.trim();
  return `preview: chart release "${release}" was refused by RBAC: it needs ${detail}, but the preview runs as ServiceAccount ${namespace}/${PREVIEW_SERVICE_ACCOUNT}, bound only inside namespace ${namespace}. Charts deployed as previews may create namespaced objects in their own namespace only; remove the cluster-scoped objects (ClusterRole, ClusterRoleBinding, CRDs, Namespaces) or disable them in the preview's values.`;
}

export async function deployPreview(options: DeployPreviewOptions): Promise<PreviewDeployment> {
  const started = Date.now();
  const namespace = options.namespace ?? previewNamespaceName(options);
  // A namespace still terminating (an earlier run's teardown, a closed PR's cleanup) refuses new content:
  // wait until it is gone, then make it anew. Bounded by the caller's signal.
  const terminatingSince = await namespaceTerminatingSince(options.kubeConfig, namespace);
  if (terminatingSince) {
    options.onLine?.(
      `namespace ${namespace} is being deleted (since ${terminatingSince.toISOString()}): waiting until it is gone`,
      "preview",
    );
    const waitSeconds = Math.max(60, ...options.charts.map((chart) => chart.timeoutSeconds ?? 300));
    const waited = AbortSignal.timeout(waitSeconds * 1000);
    const signal = options.signal ? AbortSignal.any([options.signal, waited]) : waited;
    try {
      await waitForNamespaceGone(options.kubeConfig, namespace, { signal });
    } catch (error) {
      if (options.signal?.aborted || !waited.aborted) throw error;
      throw new Error(
        `preview: namespace ${namespace} was still being deleted after ${waitSeconds} s, so the preview cannot be made in it; look for what holds it (kubectl get namespace ${namespace} -o yaml: finalizers, conditions) and run again`,
      );
    }
  }
  await applyPreviewObjects(options.kubeConfig, buildPreviewNamespaceObjects({ ...options, namespace }));
  const credentials = await previewCredentials(options.kubeConfig, namespace);
  // What happens inside the namespace (pods and events watched, a pod's last lines read) is read as
  // the preview's own ServiceAccount, as helm runs: the caller needs no rights in preview namespaces
  // beyond creating them (the webhook service's chart grants exactly that, cluster-wide).
  const inPreview = new KubeConfig();
  inPreview.loadFromFile(credentials.kubeconfigPath);
  const releases: DeployedRelease[] = [];
  try {
    for (const chart of options.charts) {
      // A listener added to a signal that has already fired never runs: a cancel that came while
      // the namespace was being set up must stop here, not leave helm running to its timeout.
      options.signal?.throwIfAborted();
      const chartStarted = Date.now();
      const args = buildHelmUpgradeArgs({ ...chart, namespace });
      const stop = new AbortController();
      const onOuterAbort = () => stop.abort();
      options.signal?.addEventListener("abort", onOuterAbort, { once: true });
      const watching = new AbortController();
      const hopeless = watchForHopelessPods(inPreview, namespace, watching.signal);
      const helm = runHelm(args, {
        helmPath: options.helmPath,
        kubeconfigPath: credentials.kubeconfigPath,
        signal: stop.signal,
        onLine: (line) => options.onLine?.(line, chart.release),
      });
      const first = await Promise.race([helm.then((run) => ({ run })), hopeless.then((diagnosis) => ({ diagnosis }))]);
      watching.abort();
      options.signal?.removeEventListener("abort", onOuterAbort);
      if ("diagnosis" in first) {
        stop.abort();
        const run = await helm;
        throw new PreviewDeployError(
          `preview: release "${chart.release}" cannot become ready: ${describe(first.diagnosis)}`,
          "not-ready",
          chart.release,
          [first.diagnosis],
          run.lines,
        );
      }
      const { run } = first;
      if (run.aborted) throw options.signal?.reason ?? new Error("preview: deploy aborted");
      if (run.code !== 0) {
        const forbidden = forbiddenMessage(chart.release, namespace, run.lines);
        if (forbidden) throw new PreviewDeployError(forbidden, "forbidden", chart.release, [], run.lines);
        const diagnoses = await diagnoseNotReady(inPreview, namespace);
        if (diagnoses.length > 0) {
          throw new PreviewDeployError(
            `preview: release "${chart.release}" did not become ready within ${chart.timeoutSeconds ?? 300}s:\n${diagnoses.map((d) => `- ${describe(d)}`).join("\n")}`,
            "not-ready",
            chart.release,
            diagnoses,
            run.lines,
          );
        }
        throw new PreviewDeployError(
          `preview: helm upgrade --install of release "${chart.release}" failed (exit ${run.code}): ${run.stderr.trim() || run.lines.slice(-5).join("\n")}`,
          "helm-failed",
          chart.release,
          [],
          run.lines,
        );
      }
      releases.push({ release: chart.release, chart: chart.chart, durationMs: Date.now() - chartStarted });
    }
  } catch (error) {
    credentials.dispose();
    throw error;
  }
  return { namespace, releases, durationMs: Date.now() - started, credentials };
}
