// Runs a preview's CI tests with the preview ServiceAccount's credentials only: `helm test` for each
// release (its test hooks), then each configured test Job with the preview's service URLs, its log
// live through log-streamer, and the JUnit XML it wrote summarized.
import { BatchV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { followJobLogs, waitForJobResult } from "@pr-pod/log-streamer";
import { buildHelmTestArgs, type PreviewCredentials, runHelm } from "@pr-pod/preview-deploy";
import { type JUnitSummary, parseJUnitXml } from "./junit-report.ts";
import {
  buildTestJob,
  JUNIT_BEGIN,
  JUNIT_END,
  previewServiceUrls,
  splitJUnitFromLog,
  type TestJobSpec,
} from "./test-job.ts";

export interface PreviewTestResult {
  /** "helm test <release>" or the config's test name. */
  name: string;
  kind: "helm-test" | "job";
  status: "passed" | "failed" | "none";
  durationMs: number;
  /** Why it failed, for people. */
  reason?: string;
  exitCode?: number;
  junit?: JUnitSummary;
}

export interface PreviewTestsResult {
  status: "passed" | "failed";
  results: PreviewTestResult[];
  durationMs: number;
}

export interface RunPreviewTestsOptions {
  /** The preview ServiceAccount's kubeconfig (from deployPreview): the tests never get more. */
  credentials: Pick<PreviewCredentials, "kubeconfigPath">;
  helmPath: string;
  namespace: string;
  /** Releases whose helm test hooks run, in order. */
  releases: string[];
  tests: TestJobSpec[];
  signal?: AbortSignal;
  /** Every log line, with the test it belongs to ("helm test web", "smoke"). */
  onLine?: (line: string, test: string) => void;
  helmTimeoutSeconds?: number;
}

/** The `PREVIEW_URL_*` env of the preview's Services. */
export async function readPreviewServiceUrls(
  kubeConfig: KubeConfig,
  namespace: string,
): Promise<Record<string, string>> {
  const services = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedService({ namespace });
  return previewServiceUrls(
    services.items.map((s) => ({
      name: s.metadata?.name as string,
      ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port })),
    })),
    namespace,
  );
}

async function runHelmTest(release: string, options: RunPreviewTestsOptions): Promise<PreviewTestResult> {
  const started = Date.now();
  const name = `helm test ${release}`;
  const run = await runHelm(buildHelmTestArgs(release, options.namespace, options.helmTimeoutSeconds), {
    helmPath: options.helmPath,
    kubeconfigPath: options.credentials.kubeconfigPath,
    signal: options.signal,
    onLine: (line) => options.onLine?.(line, name),
  });
  if (run.aborted) throw options.signal?.reason ?? new Error("preview tests: aborted");
  const durationMs = Date.now() - started;
  if (run.code === 0) {
    const none = run.lines.some((l) => /^TEST SUITE:\s+None/.test(l));
    return { name, kind: "helm-test", status: none ? "none" : "passed", durationMs };
  }
  const failedHook = run.lines.map((l) => l.match(/pod (\S+) failed/)?.[1]).find(Boolean);
  return {
    name,
    kind: "helm-test",
    status: "failed",
    durationMs,
    reason: failedHook
      ? `test hook pod ${failedHook} failed`
      : run.stderr.trim().split("\n").pop() || `helm test exited ${run.code}`,
  };
}

async function runTestJob(
  kubeConfig: KubeConfig,
  spec: TestJobSpec,
  urls: Record<string, string>,
  options: RunPreviewTestsOptions,
): Promise<PreviewTestResult> {
  const started = Date.now();
  const job = buildTestJob(spec, options.namespace, urls);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  // A kept preview still has the last run's Job: replace it.
  await batch
    .deleteNamespacedJob({ name: job.metadata.name, namespace: options.namespace, propagationPolicy: "Background" })
    .catch((error) => {
      if (error.code !== 404) throw error;
    });
  const created = await batch.createNamespacedJob({ namespace: options.namespace, body: job });
  const lines: string[] = [];
  let inJUnit = false;
  const follow = (async () => {
    for await (const { line } of followJobLogs(kubeConfig, {
      namespace: options.namespace,
      jobName: job.metadata.name,
      jobUid: created.metadata?.uid,
      signal: options.signal,
    })) {
      lines.push(line);
      if (line === JUNIT_BEGIN) inJUnit = true;
      if (!inJUnit) options.onLine?.(line, spec.name);
      if (line === JUNIT_END) inJUnit = false;
    }
  })();
  const [result] = await Promise.all([
    waitForJobResult(kubeConfig, { namespace: options.namespace, jobName: job.metadata.name, signal: options.signal }),
    follow,
  ]);
  const { junitXml } = splitJUnitFromLog(lines);
  let junit: JUnitSummary | undefined;
  let junitProblem: string | undefined;
  if (junitXml !== undefined) {
    try {
      junit = parseJUnitXml(junitXml);
    } catch (error) {
      junitProblem = (error as Error).message;
    }
  }
  const failed = result.status === "failed" || (junit !== undefined && junit.failed > 0);
  const reasons = [
    result.status === "failed"
      ? `${result.reason}${result.exitCode !== undefined ? ` (exit ${result.exitCode})` : ""}: ${result.message}`
      : "",
    junit && junit.failed > 0 ? `failing tests: ${junit.failures.map((f) => f.name).join(", ")}` : "",
    junitProblem ?? "",
  ].filter(Boolean);
  return {
    name: spec.name,
    kind: "job",
    status: failed ? "failed" : "passed",
    durationMs: Date.now() - started,
    ...(reasons.length > 0 ? { reason: reasons.join("; ") } : {}),
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(junit ? { junit } : {}),
  };
}

/** Runs every helm test and test Job (all of them, even after a failure) and says how each went. */
export async function runPreviewTests(options: RunPreviewTestsOptions): Promise<PreviewTestsResult> {
  const started = Date.now();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.credentials.kubeconfigPath);
  const results: PreviewTestResult[] = [];
  for (const release of options.releases) results.push(await runHelmTest(release, options));
  const urls = options.tests.length > 0 ? await readPreviewServiceUrls(kubeConfig, options.namespace) : {};
  for (const spec of options.tests) results.push(await runTestJob(kubeConfig, spec, urls, options));
  const status = results.some((r) => r.status === "failed") ? "failed" : "passed";
  return { status, results, durationMs: Date.now() - started };
}
