// One run from start to end: settings, PR context, token, preflight, the run's objects, the pod's
// log and verdict, the report, cleanup. Every step reports an event as it happens; the front ends
// (CLI, action, library users) render them. Whatever happens after the Job exists, the Job is
// deleted at the end (unless keep), and Kubernetes' garbage collector takes the rest with it.
import { randomUUID } from "node:crypto";
import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { builtImages, evaluate, type PrPodReport, parsePrPodReport, REPORT_LOG_MARKER } from "@pr-pod/file-verifier";
import { describePrPodExitCode } from "@pr-pod/k8s-job-builder";
import { followJobLogs, type JobResult, waitForJobResult } from "@pr-pod/log-streamer";
import { loadGitHubToken, redactor } from "@pr-pod/pat-secret";
import { type PullRequestContext, plainHttpTokenWarning } from "@pr-pod/pr-context/pure";
import type { GitHubFeedback } from "@pr-pod/pr-feedback";
import { httpStatusOf, requestOptions as requestOptionsOf } from "./api-retry.ts";
import { buildRunObjects } from "./build-run-objects.ts";
import { apiError, type CreatedObject, createRunObjects, RUN_ID_ANNOTATION } from "./create-run-objects.ts";
import { EventChannel } from "./event-channel.ts";
import { discoverLocalRegistry, LOCAL_REGISTRY_HOSTING_SOURCE, type LocalRegistryDiscovery } from "./local-registry.ts";
import { podDurationMs } from "./pod-duration.ts";
import { checkPermissions, missingPermissionsError } from "./preflight.ts";
import type { BuiltCommit } from "./preview-chart-source.ts";
import { describePermission, requiredPermissions } from "./required-permissions.ts";
import { resolvePullRequest } from "./resolve-pull-request.ts";
import { RunCluster } from "./run-cluster.ts";
import { loadRunConfig } from "./run-config.ts";
import type { PrPodRun, RunEvent, RunPrPodOptions, RunResult } from "./run-events.ts";
import { mergeRunSettings, type RunSettings } from "./run-settings.ts";
import { messageOf, RunnerError } from "./runner-error.ts";
import { DELETION_WAIT_MS, waitForJobGone } from "./wait-for-deletion.ts";

/** After the verdict, how long the log may take to deliver its last lines. */
const LOG_DRAIN_MS = 15_000;
/** The Job's own deadline should fire first; the runner's is a backstop this much later. */
const RUNNER_DEADLINE_GRACE_MS = 60_000;

/** Starts a run. Iterate it for events, await `result` for the verdict (or both). */
export function runPrPod(options: RunPrPodOptions): PrPodRun {
  const channel = new EventChannel<RunEvent, RunResult>();
  const run = new PrPodRunExecution(options, channel);
  void run.execute();
  return {
    result: channel.result,
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
  };
}

class PrPodRunExecution {
  readonly #options: RunPrPodOptions;
  readonly #channel: EventChannel<RunEvent, RunResult>;
  readonly #startedAt = Date.now();
  readonly #runId = randomUUID();
  #redact: (text: string) => string = (text) => text;
  #cluster: RunCluster;
  #context: PullRequestContext | undefined;
  #namespace: string;
  #jobName = "";
  /** The Job to delete at the end: set once it exists (ours or reused). */
  #jobToDelete: string | undefined;
  #created: CreatedObject[] = [];
  /** The Job's create was sent (it may exist even if no answer came back). */
  #jobCreateSent = false;
  /** Feedback on the pull request (report.github): started once the PR is known, finished exactly once. */
  #feedback: GitHubFeedback | undefined;
  /** The token the pod got (none for a fork PR without allowForkToken): the preview's chart fetch uses the same. */
  #podToken: string | undefined;

  constructor(options: RunPrPodOptions, channel: EventChannel<RunEvent, RunResult>) {
    this.#options = options;
    this.#channel = channel;
    this.#cluster = new RunCluster(options.kubeConfig, options.retry);
    this.#namespace = options.namespace ?? "default";
  }

  #emit(event: RunEvent): void {
    if (event.type === "log-line") this.#feedback?.logLine(event.line);
    this.#channel.push(event);
  }

  async execute(): Promise<void> {
    const signal = this.#options.signal;
    let settings: RunSettings | undefined;
    try {
      settings = await this.#settings();
      this.#namespace = settings.namespace;
      const result = await this.#run(settings);
      const keep = settings.keep && result.status !== "aborted";
      this.#emit({ type: "finished", result });
      await this.#feedback?.finish(result);
      if (!keep) await this.#cleanup();
      this.#channel.finish(result);
    } catch (error) {
      if (signal?.aborted && this.#context) {
        const result = this.#result(
          "aborted",
          "Aborted",
          this.#redact(`the run was aborted: ${messageOf(signal.reason)}`),
          {},
        );
        this.#emit({ type: "finished", result });
        await this.#feedback?.finish(result);
        await this.#cleanup();
        this.#channel.finish(result);
        return;
      }
      // The run could not go on after the PR was marked pending: the PR gets an error, not a pending forever.
      await this.#feedback?.finish({
        status: "error",
        reason: error instanceof RunnerError ? error.code : "Error",
        message: this.#redact(messageOf(error)),
      });
      if (!settings?.keep) await this.#cleanup();
      this.#channel.fail(
        this.#redactError(
          signal?.aborted
            ? new RunnerError("ABORTED", "the run was aborted before it started", { cause: signal.reason })
            : error,
        ),
      );
    }
  }

  async #settings(): Promise<RunSettings> {
    const options = this.#options;
    const loaded = options.noConfigFile
      ? { config: {} }
      : await loadRunConfig({
          ...(options.configFile ? { configFile: options.configFile } : {}),
          ...(options.configSearchDirs ? { searchDirs: options.configSearchDirs } : {}),
        });
    return mergeRunSettings(options, loaded.config, "path" in loaded ? loaded.path : undefined);
  }

  async #run(settings: RunSettings): Promise<RunResult> {
    const options = this.#options;
    const signal = options.signal;
    const namespace = settings.namespace;

    // The cluster's own registry, looked up while the PR is being resolved (no wait added).
    const registryDiscovery = this.#discoverLocalRegistry(settings, signal);
    // 1. Token (the GitHub API lookup may need it), then the PR.
    const loadedToken = await loadGitHubToken({
      ...(options.token ? { token: options.token } : {}),
      ...(options.envFile ? { envFile: options.envFile } : {}),
    });
    this.#redact = redactor(loadedToken.token);
    const context = await resolvePullRequest(options.pullRequest, loadedToken.token, signal);
    this.#context = context;
    this.#emit({ type: "resolved-context", context });
    this.#emit({ type: "token-loaded", source: loadedToken.source });
    await this.#startFeedback(settings, context, loadedToken.token);
    const podToken = context.isFork && !settings.allowForkToken ? undefined : loadedToken.token;
    this.#podToken = podToken;
    const plainHttp = podToken ? plainHttpTokenWarning(context) : undefined;
    if (plainHttp) this.#emit({ type: "warning", message: plainHttp });
    const runSettings = this.#withLocalRegistry(settings, await registryDiscovery);
    const built = buildRunObjects(context, runSettings, podToken, options.localChanges);
    this.#jobName = built.jobName;
    if (options.jobMetadata) built.plan.job = withJobMetadata(built.plan.job, options.jobMetadata);

    // 2. Preflight: every permission, in one answer; nothing is created before it passes.
    const required = requiredPermissions({
      namespace,
      createNamespace: settings.createNamespace,
      roleRules: built.roleRules,
      localChanges: options.localChanges !== undefined,
    });
    const check = await checkPermissions(this.#cluster, namespace, required, signal);
    if (check.missing.length > 0) throw missingPermissionsError(check.missing, namespace);
    const checks = [
      `API server ${this.#cluster.server ?? ""} answered`.replace("  ", " "),
      ...required.map((p) => `may ${describePermission(p)}`),
    ];
    if (settings.createNamespace) checks.push(await this.#ensureNamespace(namespace));
    this.#emit({ type: "preflight", namespace, checks });

    // 3. The objects: Job first (suspended), the rest owned by it; then the Job may start.
    this.#jobCreateSent = true;
    const objects = await createRunObjects(this.#cluster, built.plan, {
      namespace,
      runId: this.#runId,
      ...(signal ? { signal } : {}),
      onCreated: (object) => {
        if (object.kind === "Job") this.#jobToDelete = object.name;
        this.#created.push(object);
        this.#emit({ type: "created", ...object });
      },
    });
    // The Job as last answered by the API server: the wait starts from it, so a delete from outside
    // (another replica superseding this run, a user) ends the run instead of leaving it waiting.
    let job: V1Job | undefined = objects.job;
    try {
      if (objects.reused) {
        this.#jobToDelete = this.#jobName;
        this.#emit({ type: "reused", kind: "Job", name: this.#jobName, namespace });
      } else if (objects.job.spec?.suspend !== true) {
        // The server dropped spec.suspend (Kubernetes before 1.22, where the field is unknown or off):
        // the Job started at once, its first pod was refused for want of the ServiceAccount, and the job
        // controller would try again only after 10 s. Any change to the Job makes it try at once.
        if (!serversWithoutSuspend.has(this.#cluster.server ?? "")) {
          serversWithoutSuspend.add(this.#cluster.server ?? "");
          this.#emit({
            type: "warning",
            message: `the API server ${this.#cluster.server ?? ""} ignored the Job's spec.suspend (Kubernetes before 1.22?), so the Job started before its ServiceAccount and token Secret existed; pr-pod nudges it once they do. pr-pod supports Kubernetes 1.22 and later.`,
          });
        }
        job = await this.#cluster.nudgeJob(namespace, this.#jobName, signal);
      } else {
        job = await this.#cluster.unsuspendJob(namespace, this.#jobName, signal);
      }
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      job = undefined;
    }
    if (!job) return this.#jobDeletedResult();

    // 4. Log and verdict, side by side.
    const { verdict, markedLine } = await this.#follow(settings, job);

    // 5. The report: the termination message, else the marked log line.
    const parsed = parsePrPodReport({
      ...(verdict.terminationMessage ? { terminationMessage: verdict.terminationMessage } : {}),
      ...(markedLine ? { logText: markedLine } : {}),
    });
    if (parsed) this.#emit({ type: "report", report: parsed.report });
    const result = this.#verdictResult(verdict, parsed?.report, settings, podDurationMs(verdict, parsed?.report));
    return this.#withPreview(result, settings, context);
  }

  /** report.github: pending status or in_progress check run now; its failures are warnings, never the run's. */
  /**
   * Builds on the cluster's BuildKit with no registry given push to the cluster's own local registry
   * when it announces one (kube-public/local-registry-hosting, which `pr-pod cluster up` writes).
   */
  #discoverLocalRegistry(settings: RunSettings, signal: AbortSignal | undefined): Promise<LocalRegistryDiscovery> {
    if (!settings.build || settings.registry || (settings.buildx.driver ?? "kubernetes") !== "kubernetes") {
      return Promise.resolve({ kind: "none" });
    }
    const discovery = discoverLocalRegistry(this.#cluster, signal);
    // Awaited once the PR is known; a run that fails before then must not leave a rejection unhandled.
    discovery.catch(() => undefined);
    return discovery;
  }

  #withLocalRegistry(settings: RunSettings, discovery: LocalRegistryDiscovery): RunSettings {
    if (discovery.kind === "unusable") this.#emit({ type: "warning", message: discovery.message });
    if (discovery.kind !== "found") return settings;
    this.#emit({ type: "local-registry", host: discovery.registry.host, source: LOCAL_REGISTRY_HOSTING_SOURCE });
    return { ...settings, registry: discovery.registry };
  }

  async #startFeedback(settings: RunSettings, context: PullRequestContext, runToken: string): Promise<void> {
    const github = settings.report?.github;
    if (!github) return;
    // Loaded only by runs that report to GitHub: octokit and the GitHub App auth stay out of the others' start-up.
    const { createRunFeedback, PrFeedbackError } = await import("@pr-pod/pr-feedback");
    try {
      this.#feedback = createRunFeedback(context, {
        settings: github,
        runToken,
        redact: this.#redact,
        onWarning: (message) => this.#emit({ type: "warning", message }),
      });
    } catch (error) {
      if (error instanceof PrFeedbackError) throw new RunnerError("INVALID_INPUT", error.message);
      throw error;
    }
    await this.#feedback.start();
  }

  async #ensureNamespace(namespace: string): Promise<string> {
    const signal = this.#options.signal;
    try {
      await this.#cluster.call(`read namespace ${namespace}`, signal, (s) =>
        this.#cluster.core.readNamespace({ name: namespace }, requestOptionsOf(s)),
      );
      return `namespace ${namespace} exists`;
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw apiError(error, `read namespace ${namespace}`);
    }
    try {
      await this.#cluster.call(`create namespace ${namespace}`, signal, (s) =>
        this.#cluster.core.createNamespace(
          { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } } },
          requestOptionsOf(s),
        ),
      );
      this.#emit({ type: "created", kind: "Namespace", name: namespace, namespace });
    } catch (error) {
      if (httpStatusOf(error) !== 409) throw apiError(error, `create namespace ${namespace}`);
    }
    return `namespace ${namespace} created`;
  }

  async #follow(settings: RunSettings, job: V1Job): Promise<{ verdict: JobResult; markedLine?: string }> {
    const jobUid = job.metadata?.uid;
    const namespace = settings.namespace;
    const jobName = this.#jobName;
    const kubeConfig = this.#options.kubeConfig;
    const stopLogs = new AbortController();
    const deadline = AbortSignal.timeout(settings.timeoutSeconds * 1000 + RUNNER_DEADLINE_GRACE_MS);
    const waitSignal = AbortSignal.any([deadline, ...(this.#options.signal ? [this.#options.signal] : [])]);
    const logSignal = AbortSignal.any([stopLogs.signal, waitSignal]);
    let markedLine: string | undefined;
    let scheduled = false;

    const logs = (async () => {
      try {
        for await (const line of followJobLogs(kubeConfig, {
          namespace,
          jobName,
          ...(jobUid ? { jobUid } : {}),
          signal: logSignal,
          redact: this.#redact,
        })) {
          if (line.line.includes(REPORT_LOG_MARKER)) markedLine = line.line;
          this.#emit({ type: "log-line", line: line.line, ...(line.timestamp ? { timestamp: line.timestamp } : {}) });
        }
      } catch (error) {
        if (!logSignal.aborted)
          this.#emit({
            type: "warning",
            message: this.#redact(`the pod log could not be followed: ${messageOf(error)}`),
          });
      }
    })();

    const onPod = (pod: V1Pod) => {
      if (scheduled || !pod.spec?.nodeName) return;
      scheduled = true;
      this.#emit({ type: "pod-scheduled", podName: pod.metadata?.name ?? "", nodeName: pod.spec.nodeName });
    };
    let verdict: JobResult;
    try {
      verdict = await waitForJobResult(kubeConfig, {
        namespace,
        jobName,
        job,
        signal: waitSignal,
        redact: this.#redact,
        onPod,
        unschedulableGraceMs: settings.unschedulableGraceSeconds * 1000,
      });
    } catch (error) {
      stopLogs.abort();
      await logs;
      if (deadline.aborted && !this.#options.signal?.aborted) {
        return {
          verdict: {
            status: "failed",
            reason: "DeadlineExceeded",
            message: `the run did not finish within its ${settings.timeoutSeconds} s deadline`,
          },
        };
      }
      throw apiError(error, `watch Job ${namespace}/${jobName} and its pod`);
    }
    // A container that ran has a log to finish; one that never started has none to wait for.
    if (verdict.exitCode !== undefined || verdict.startedAt !== undefined) {
      const drained = await Promise.race([logs.then(() => true), delay(LOG_DRAIN_MS).then(() => false)]);
      if (!drained)
        this.#emit({
          type: "warning",
          message: "the pod log did not reach its end in time; the last lines may be missing",
        });
    }
    stopLogs.abort();
    await logs;
    return markedLine === undefined ? { verdict } : { verdict, markedLine };
  }

  /** The Job went before it could start: deleted from outside between its create and its start. */
  #jobDeletedResult(): RunResult {
    return this.#result(
      "failed",
      "JobDeleted",
      `Job ${this.#namespace}/${this.#jobName} was deleted before it finished (by another pr-pod serve replica superseding this run, or by hand)`,
      {},
    );
  }

  #verdictResult(
    verdict: JobResult,
    report: PrPodReport | undefined,
    settings: RunSettings,
    podMs: number | undefined,
  ): RunResult {
    const extra: Partial<RunResult> = {
      durationsMs: { total: Date.now() - this.#startedAt, ...(podMs !== undefined ? { pod: podMs } : {}) },
    };
    if (verdict.exitCode !== undefined) extra.exitCode = verdict.exitCode;
    if (report) {
      extra.report = report;
      extra.images = builtImages(report);
    }
    const evaluation = report ? evaluate(report, settings.verify ? { files: settings.verify } : {}) : undefined;
    if (verdict.status === "succeeded" && (!evaluation || evaluation.passed)) {
      const summary = report ? describeSuccess(report) : "the pod finished without a report";
      return this.#result("succeeded", verdict.reason, summary, extra);
    }
    if (verdict.status === "succeeded" && evaluation) {
      return this.#result("failed", "VerificationFailed", this.#redact(evaluation.reasons.join("; ")), extra);
    }
    const reasons = evaluation?.reasons.length ? evaluation.reasons.join("; ") : undefined;
    const exitMeaning =
      verdict.exitCode !== undefined && verdict.exitCode !== 0
        ? `exit code ${verdict.exitCode}: ${describePrPodExitCode(verdict.exitCode).meaning}`
        : undefined;
    const message = reasons ?? [verdict.message, exitMeaning].filter(Boolean).join("; ");
    return this.#result("failed", verdict.reason, this.#redact(message), extra);
  }

  #result(status: RunResult["status"], reason: string, message: string, extra: Partial<RunResult>): RunResult {
    return {
      status,
      reason,
      message,
      namespace: this.#namespace,
      jobName: this.#jobName,
      context: this.#context!,
      durationsMs: { total: Date.now() - this.#startedAt },
      ...extra,
    };
  }

  /** Deletes the Job (Background: Kubernetes then removes its pod and every object it owns). Never throws. */
  async #cleanup(): Promise<void> {
    const namespace = this.#namespace;
    const signal = AbortSignal.timeout(60_000);
    if (!this.#jobToDelete && this.#jobCreateSent) {
      // Stopped while the Job's create was in flight: the server may have made it all the same. It
      // is ours to delete only if it carries this run's id.
      this.#jobCreateSent = false;
      const name = this.#jobName;
      const existing = await this.#cluster
        .call(`read Job ${namespace}/${name}`, signal, (s) => this.#cluster.kinds.Job.read(namespace, name, s))
        .catch(() => undefined);
      if (existing?.metadata?.annotations?.[RUN_ID_ANNOTATION] === this.#runId) this.#jobToDelete = name;
    }
    const jobName = this.#jobToDelete;
    if (!jobName) return;
    this.#jobToDelete = undefined;
    // The answer is the Job marked for deletion; client-node types it as a Status, whose metadata
    // keeps only the resourceVersion: the watch for the Job's end starts there.
    let deleting: { metadata?: { resourceVersion?: string } } | undefined;
    try {
      deleting = (await this.#cluster.call(`delete Job ${namespace}/${jobName}`, signal, (s) =>
        this.#cluster.kinds.Job.remove(namespace, jobName, s),
      )) as typeof deleting;
    } catch (error) {
      if (httpStatusOf(error) !== 404) {
        this.#emit({
          type: "warning",
          message: this.#redact(
            `could not delete Job ${namespace}/${jobName}: ${messageOf(error)}. Delete it with: kubectl delete job ${jobName} -n ${namespace} --cascade=foreground`,
          ),
        });
        return;
      }
    }
    // The Job was gone already (deleted from outside). With the default propagation the garbage
    // collector takes what it owned; after `kubectl delete --cascade=orphan` nobody would, so the run
    // deletes its other objects itself (404s are the garbage collector having been first).
    if (!deleting) await this.#deleteOwnedObjects(signal);
    const deleted = this.#created.length > 0 ? this.#created : [{ kind: "Job" as const, name: jobName, namespace }];
    // The delete answers at once; the garbage collector takes a few seconds for the pod and the objects
    // the Job owns. Say "cleaned up" only once they are gone (the Job goes last), or say what is left.
    if (deleting) {
      const gone = await waitForJobGone(this.#cluster, {
        namespace,
        name: jobName,
        resourceVersion: deleting.metadata?.resourceVersion,
        signal,
      }).catch(() => false);
      if (!gone) {
        const left = deleted.map(({ kind, name }) => `${kind}/${name}`).join(", ");
        this.#emit({
          type: "warning",
          message: `deleted the run's objects, but after ${DELETION_WAIT_MS / 1000} s Kubernetes is still removing Job/${jobName} and what it owns (${left}, its pod); they go on their own. Check with: kubectl get job ${jobName} -n ${namespace}`,
        });
        return;
      }
    }
    this.#emit({ type: "cleaned-up", deleted: deleted.map(({ kind, name }) => ({ kind, name })) });
  }

  async #deleteOwnedObjects(signal: AbortSignal): Promise<void> {
    for (const { kind, name, namespace } of this.#created) {
      if (kind === "Job") continue;
      try {
        await this.#cluster.call(`delete ${kind} ${namespace}/${name}`, signal, (s) =>
          this.#cluster.kinds[kind].remove(namespace, name, s),
        );
      } catch (error) {
        if (httpStatusOf(error) !== 404)
          this.#emit({
            type: "warning",
            message: this.#redact(`could not delete ${kind} ${namespace}/${name}: ${messageOf(error)}`),
          });
      }
    }
  }

  /** After a successful build, the preview stages (deploy, test, teardown) when configured; their failure fails the run. */
  async #withPreview(result: RunResult, settings: RunSettings, context: PullRequestContext): Promise<RunResult> {
    const preview = this.#options.preview;
    if (result.status !== "succeeded") return result;
    if (!preview) {
      if (settings.preview) {
        this.#emit({
          type: "warning",
          message: "the config file has a preview section, but this run was given no helm to deploy it with",
        });
      }
      return result;
    }
    if (!settings.preview && !preview.fromRepository) return result;
    // Loaded only by runs that may deploy a preview (helm, the preview clients, the JUnit parser).
    const [
      { readRepositoryPreviewConfig },
      { fetchBuiltCommit, fetchPreviewChartSource },
      { previewImagesFromBuild, runPreviewStages },
    ] = await Promise.all([
      import("./repository-preview-config.ts"),
      import("./preview-chart-source.ts"),
      import("./preview-stages.ts"),
    ]);
    const report = result.report as PrPodReport | undefined;
    const token = this.#podToken;
    // The commit the pod built, fetched with git: where the chart files (and, fromRepository, the
    // preview section itself) are read when there is no checkout here.
    const atBuiltCommit = {
      ...(preview.gitPath ? { gitPath: preview.gitPath } : {}),
      headCloneUrl: context.headCloneUrl,
      baseCloneUrl: context.baseCloneUrl,
      pr: context.number,
      headRef: context.headRef,
      checkout: report?.checkout ?? settings.checkout,
      headSha: report?.headSha ?? context.headSha,
      ...(report?.baseSha ? { baseSha: report.baseSha } : {}),
      ...(token ? { token } : {}),
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
    };
    let previewConfig = settings.preview;
    // A preview section from the repository is read at the commit the pod built; the charts then come
    // from the same fetch (one git fetch, not two), and its folder goes once the stages are done.
    let builtCommit: BuiltCommit | undefined;
    if (!previewConfig && preview.fromRepository && preview.checkoutDir === undefined) {
      try {
        builtCommit = await fetchBuiltCommit(atBuiltCommit);
        const found = await readRepositoryPreviewConfig(builtCommit, `${context.owner}/${context.repo}`);
        if (!found.preview) {
          await builtCommit.dispose();
          return result;
        }
        previewConfig = found.preview;
        this.#emit({
          type: "preview",
          event: {
            type: "preview-line",
            source: "config",
            line: `read the preview section of ${found.file} at ${found.revision}`,
          },
        });
      } catch (error) {
        await builtCommit?.dispose();
        if (this.#options.signal?.aborted) throw error;
        return {
          ...result,
          status: "failed",
          reason: "PreviewDeployFailed",
          message: this.#redact(`the repository's preview section could not be read: ${messageOf(error)}`),
          durationsMs: { ...result.durationsMs, total: Date.now() - this.#startedAt },
        };
      }
    }
    if (!previewConfig) return result;
    const fetched = builtCommit;
    const stages = await runPreviewStages({
      kubeConfig: this.#options.kubeConfig,
      helmPath: preview.helmPath,
      repo: `${context.owner}/${context.repo}`,
      pr: context.number,
      config: preview.ttlHours ? { ...previewConfig, ttlHours: preview.ttlHours } : previewConfig,
      ...(preview.checkoutDir !== undefined
        ? { checkoutDir: preview.checkoutDir }
        : {
            // No checkout here: the chart files at the commit the pod built (its report says which).
            fetchChartSource: async ({ files, charts }) => {
              if (!fetched) return fetchPreviewChartSource({ ...atBuiltCommit, paths: files, chartPaths: charts });
              await fetched.checkOut(files, charts);
              return fetched;
            },
          }),
      // What this run pushed goes into the charts' values; the config's images only when nothing was.
      builtImages: previewImagesFromBuild(result.images ?? []),
      keep: preview.keep ?? false,
      ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      onEvent: (event) =>
        this.#emit({
          type: "preview",
          event: event.type === "preview-line" ? { ...event, line: this.#redact(event.line) } : event,
        }),
    }).finally(() => fetched?.dispose());
    const durationsMs = { ...result.durationsMs, total: Date.now() - this.#startedAt };
    if (stages.status === "succeeded") return { ...result, durationsMs, preview: stages };
    const failed = stages.stages.find((stage) => stage.status === "failed");
    return {
      ...result,
      status: "failed",
      reason: stages.status === "deploy-failed" ? "PreviewDeployFailed" : "PreviewTestsFailed",
      message: this.#redact(
        failed?.message ?? `the preview ${stages.status === "deploy-failed" ? "deploy" : "tests"} failed`,
      ),
      durationsMs,
      preview: stages,
    };
  }

  #redactError(error: unknown): unknown {
    if (error instanceof Error) error.message = this.#redact(error.message);
    return error;
  }
}

/** API servers already told about (the warning comes once per server and process). */
const serversWithoutSuspend = new Set<string>();

/** The caller's labels and annotations under pr-pod's own (its names, selectors and run id stay as they are). */
function withJobMetadata(job: V1Job, extra: NonNullable<RunPrPodOptions["jobMetadata"]>): V1Job {
  const metadata = job.metadata ?? {};
  return {
    ...job,
    metadata: {
      ...metadata,
      labels: { ...extra.labels, ...metadata.labels },
      annotations: { ...extra.annotations, ...metadata.annotations },
    },
  };
}

function describeSuccess(report: PrPodReport): string {
  const parts = [`cloned ${report.sha?.slice(0, 7) ?? "the PR"}`];
  if (report.files)
    parts.push(`${report.files.found.length} required file${report.files.found.length === 1 ? "" : "s"} found`);
  const builds = report.builds ?? [];
  if (builds.length > 0) parts.push(`${builds.length} build${builds.length === 1 ? "" : "s"} succeeded`);
  const pushed = builds.filter((build) => build.pushed).length;
  if (pushed > 0) parts.push(`${pushed} image${pushed === 1 ? "" : "s"} pushed`);
  return parts.join(", ");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
