// The stages after a successful build: deploy the PR's charts into its preview namespace, run the
// CI tests against it, then tear it down (or keep it with an expiry that `cleanupExpiredPreviews`
// honours). Composed from @pr-pod/preview-deploy and @pr-pod/preview-tests; each stage reports its
// status and duration. The config file's `preview` section says what to deploy and test; its
// validation lives in preview-config.ts (pure, so loading a config file loads no preview code).
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { BuiltImage as PodBuiltImage } from "@pr-pod/file-verifier";
import {
  type BuiltImage,
  deletePreview,
  deployPreview,
  type NotReadyDiagnosis,
  PreviewDeployError,
  type PreviewDeployment,
  previewNamespaceName,
} from "@pr-pod/preview-deploy";
import { type PreviewTestsResult, runPreviewTests } from "@pr-pod/preview-tests";
import type { PreviewConfig } from "./preview-config.ts";
import { messageOf } from "./runner-error.ts";

export type PreviewStageName = "deploy" | "test" | "teardown";

export interface PreviewStageResult {
  stage: PreviewStageName;
  status: "succeeded" | "failed" | "skipped";
  durationMs: number;
  message?: string;
}

export type PreviewStagesStatus = "succeeded" | "deploy-failed" | "tests-failed";

export interface PreviewStagesResult {
  status: PreviewStagesStatus;
  namespace?: string;
  stages: PreviewStageResult[];
  /** Why the deploy failed, per Deployment. */
  diagnoses?: NotReadyDiagnosis[];
  tests?: PreviewTestsResult;
  /** Set when the preview was kept. */
  expiresAt?: string;
}

export type PreviewStageEvent =
  /** `namespace` is the preview's, known before anything is created (a caller can clean it up if cut short). */
  | { type: "stage-started"; stage: PreviewStageName; namespace: string }
  | { type: "stage-finished"; result: PreviewStageResult }
  | { type: "preview-line"; source: string; line: string };

export interface RunPreviewStagesOptions {
  /** The run's credentials: they create the namespace and its RBAC, and delete it at the end. */
  kubeConfig: KubeConfig;
  helmPath: string;
  repo: string;
  pr: number;
  config: PreviewConfig;
  /** The repository checkout the chart paths are relative to. */
  checkoutDir?: string;
  /**
   * Without checkoutDir: brings the chart folders and values files (paths relative to the repository
   * root) into a temporary folder, removed with dispose() once the charts are deployed. Its failure
   * fails the deploy stage before anything is created in the cluster.
   */
  fetchChartSource?: (paths: { files: string[]; charts: string[] }) => Promise<{
    dir: string;
    revision: string;
    dispose(): Promise<void>;
  }>;
  /** What the build stage pushed; config.images when undefined or empty. */
  builtImages?: BuiltImage[];
  /** Keep the preview, annotated to expire after config.ttlHours (default 24). */
  keep?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: PreviewStageEvent) => void;
  now?: () => Date;
}

/**
 * The images the pod pushed, as the deploy stage takes them: `source` is the bake target or the
 * Dockerfile's path (what `preview.charts[].images[].source` names), repository and tag split from the
 * pushed name, and the registry's digest. Images built but not pushed cannot be deployed: left out.
 */
export function previewImagesFromBuild(images: readonly PodBuiltImage[]): BuiltImage[] {
  return images.flatMap((image) => {
    if (!image.pushed || !image.image || !image.tag || !image.image.endsWith(`:${image.tag}`)) return [];
    return [
      {
        source: image.bakeFile ? image.target : image.dockerfile,
        repository: image.image.slice(0, -(image.tag.length + 1)),
        tag: image.tag,
        ...(image.digest ? { digest: image.digest } : {}),
      },
    ];
  });
}

/** How long the teardown of a run that was stopped mid-deploy or mid-test may take before it gives up. */
const ABORTED_TEARDOWN_MS = 60_000;

/** deploy → test → teardown (or keep). Never throws for a failing deploy or test: the result says so. */
export async function runPreviewStages(options: RunPreviewStagesOptions): Promise<PreviewStagesResult> {
  const { config } = options;
  const emit = options.onEvent ?? (() => {});
  const stages: PreviewStageResult[] = [];
  const now = options.now ?? (() => new Date());
  const expiresAt = options.keep ? new Date(now().getTime() + (config.ttlHours ?? 24) * 3_600_000) : undefined;
  const images = options.builtImages?.length ? options.builtImages : (config.images ?? []);
  const finishStage = (result: PreviewStageResult) => {
    stages.push(result);
    emit({ type: "stage-finished", result });
  };

  const namespace = config.namespace ?? previewNamespaceName(options);
  // The teardown stage: deletes the preview namespace. A run cut short (Ctrl-C, a newer push, a closed PR,
  // an unexpected error) mid-deploy or mid-test tears down too, unless the preview is to be kept, with a
  // bounded signal of its own (the run's has fired), then the caller goes on with the abort.
  const tearDown = async (stoppedEarly?: { reason: unknown }) => {
    emit({ type: "stage-started", stage: "teardown", namespace });
    const teardownStarted = Date.now();
    const signal = stoppedEarly ? AbortSignal.timeout(ABORTED_TEARDOWN_MS) : options.signal;
    try {
      await deletePreview(options.kubeConfig, namespace, signal ? { signal } : {});
      finishStage({
        stage: "teardown",
        status: "succeeded",
        durationMs: Date.now() - teardownStarted,
        ...(stoppedEarly ? { message: `the run stopped early: ${messageOf(stoppedEarly.reason)}` } : {}),
      });
    } catch (error) {
      if (!stoppedEarly && options.signal?.aborted) throw error;
      const message = stoppedEarly
        ? `could not delete preview namespace ${namespace} after the run stopped early: ${messageOf(error)}; delete it with pr-pod preview down ${namespace}`
        : `could not delete preview namespace ${namespace}: ${messageOf(error)}; delete it with pr-pod cleanup or kubectl delete namespace ${namespace}`;
      finishStage({ stage: "teardown", status: "failed", durationMs: Date.now() - teardownStarted, message });
    }
  };
  const tearDownAfterStop = async (reason: unknown) => {
    if (!options.keep) await tearDown({ reason });
  };
  emit({ type: "stage-started", stage: "deploy", namespace });
  let started = Date.now();
  let deployment: PreviewDeployment | undefined;
  let outcome: Omit<PreviewStagesResult, "stages"> = { status: "succeeded" };
  let source: { dir: string; dispose(): Promise<void> } | undefined;
  try {
    let checkoutDir = options.checkoutDir;
    if (checkoutDir === undefined) {
      if (!options.fetchChartSource) throw new Error("runPreviewStages needs checkoutDir or fetchChartSource");
      const charts = config.charts.map((chart) => chart.path);
      const files = [...new Set([...charts, ...config.charts.flatMap((chart) => chart.valuesFiles ?? [])])];
      const fetched = await options.fetchChartSource({ files, charts });
      source = fetched;
      checkoutDir = fetched.dir;
      emit({
        type: "preview-line",
        source: "charts",
        line: `fetched ${files.join(", ")} at ${fetched.revision}`,
      });
    }
    const root = checkoutDir;
    deployment = await deployPreview({
      kubeConfig: options.kubeConfig,
      helmPath: options.helmPath,
      repo: options.repo,
      pr: options.pr,
      namespace,
      ...(config.quota ? { quota: config.quota } : {}),
      ...(config.limits ? { containerDefaults: config.limits } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      charts: config.charts.map((chart) => ({
        release: chart.release ?? path.basename(chart.path),
        chart: path.resolve(root, chart.path),
        valuesFiles: (chart.valuesFiles ?? []).map((file) => path.resolve(root, file)),
        ...(chart.set ? { set: chart.set } : {}),
        images,
        ...(chart.images ? { imageValues: chart.images } : {}),
        timeoutSeconds: config.timeoutSeconds ?? 300,
      })),
      ...(options.signal ? { signal: options.signal } : {}),
      onLine: (line, release) => emit({ type: "preview-line", source: `helm ${release}`, line }),
    });
    finishStage({ stage: "deploy", status: "succeeded", durationMs: Date.now() - started });
  } catch (error) {
    if (options.signal?.aborted) {
      await tearDownAfterStop(options.signal.reason ?? error);
      throw error;
    }
    const message = messageOf(error);
    finishStage({ stage: "deploy", status: "failed", durationMs: Date.now() - started, message });
    outcome = {
      status: "deploy-failed",
      ...(error instanceof PreviewDeployError ? { diagnoses: error.diagnoses } : {}),
    };
  } finally {
    await source?.dispose();
  }

  if (deployment) {
    emit({ type: "stage-started", stage: "test", namespace });
    started = Date.now();
    try {
      const tests = await runPreviewTests({
        credentials: deployment.credentials,
        helmPath: options.helmPath,
        namespace: deployment.namespace,
        releases: deployment.releases.map((r) => r.release),
        tests: config.tests ?? [],
        ...(options.signal ? { signal: options.signal } : {}),
        onLine: (line, test) => emit({ type: "preview-line", source: test, line }),
      });
      const failedNames = tests.results.filter((r) => r.status === "failed").map((r) => r.name);
      finishStage({
        stage: "test",
        status: tests.status === "passed" ? "succeeded" : "failed",
        durationMs: Date.now() - started,
        ...(failedNames.length ? { message: `failed: ${failedNames.join(", ")}` } : {}),
      });
      outcome = { status: tests.status === "passed" ? "succeeded" : "tests-failed", tests };
    } catch (error) {
      await tearDownAfterStop(options.signal?.aborted ? (options.signal.reason ?? error) : error);
      throw error;
    } finally {
      deployment.credentials.dispose();
    }
  } else {
    finishStage({ stage: "test", status: "skipped", durationMs: 0, message: "the deploy failed" });
  }

  if (options.keep) {
    finishStage({
      stage: "teardown",
      status: "skipped",
      durationMs: 0,
      message: `kept until ${expiresAt?.toISOString()}`,
    });
  } else {
    await tearDown();
  }
  return {
    ...outcome,
    namespace,
    stages,
    ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
  };
}
