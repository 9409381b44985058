// The action's entry point, for both steps: GitHub runs this file as `main`, then again as `post`
// (action.yml, `post-if: always()`). It only wires: inputs from context.ts, the cluster from
// cluster.ts, the run from @pr-pod/runner, and GitHub's outputs, annotations and summary.
import { rm } from "node:fs/promises";
import * as core from "@actions/core";
import { context as actionsContext } from "@actions/github";
import type { KubeConfig } from "@kubernetes/client-node";
import { deleteKindCluster, type KindLogger } from "@pr-pod/kind-cluster";
import { prPodLabels } from "@pr-pod/pr-context";
import { deletePreview } from "@pr-pod/preview-deploy";
import { cleanupPrPods, DEFAULT_NAMESPACE, messageOf, type RunResult, runPrPod } from "@pr-pod/runner";
import { loadKubeConfig, loadRunnerKubeConfig, prepareCluster } from "./cluster.ts";
import {
  feedbackFor,
  getInputs,
  kubeconfigSecretsToMask,
  previewOptionsFor,
  pullRequestSourceFor,
  runOptionsFor,
} from "./context.ts";
import { silenceDependencyWarnings } from "./dependency-warnings.ts";
import { describePullRequest, RunLog } from "./run-log.ts";
import {
  actionOutputsFor,
  escapeHtml,
  exitCodeFor,
  failureAnnotationFor,
  jobSummaryFor,
  runErrorReportFor,
} from "./run-report.ts";
import { isPost, markMainStarted, type RunState, readPostState, saveRun } from "./state-helper.ts";

const kindLogger: KindLogger = { info: (message) => core.info(message), warn: (message) => core.warning(message) };

/**
 * Cancelling the job sends SIGINT, then SIGTERM: either aborts the run, which deletes what it made.
 * Every later signal is absorbed too, so a second one cannot cut that cleanup short.
 */
function abortOnSignals(): AbortController {
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) return;
      core.warning(`received ${signal}: stopping the run and deleting what it created`);
      controller.abort(new Error(`the job was cancelled (${signal})`));
    });
  }
  return controller;
}

async function main(): Promise<void> {
  // Before anything else can print it: the token, then the kubeconfig's credentials.
  const token = core.getInput("github-token");
  if (token) core.setSecret(token);
  for (const secret of kubeconfigSecretsToMask(core.getInput("kubeconfig"))) core.setSecret(secret);
  try {
    await runMain();
  } catch (error) {
    await reportRunError(error);
  }
}

async function runMain(): Promise<void> {
  const inputs = getInputs();
  // helm as the CLI finds it: PR_POD_HELM, else PATH (GitHub's runners have it).
  const preview = previewOptionsFor(inputs, { helmPath: process.env["PR_POD_HELM"] || "helm" });
  const abort = abortOnSignals();

  const pullRequest = await core.group("Pull request", async () => {
    const source = pullRequestSourceFor(inputs, {
      eventName: actionsContext.eventName,
      payload: actionsContext.payload,
      repository: process.env["GITHUB_REPOSITORY"] ?? "",
      apiUrl: actionsContext.apiUrl,
    });
    if (source.kind === "context") {
      core.info(describePullRequest(source.context));
      if (source.context.isFork) {
        core.info(
          inputs["allow-fork-token"]
            ? "this pull request comes from a fork and allow-fork-token is true: the pod gets github-token"
            : "this pull request comes from a fork: the pod clones it without a token (set allow-fork-token: true to pass github-token to the pod)",
        );
      }
    } else {
      core.info(`pull request ${source.repo}#${source.pr}, looked up through ${source.apiBaseUrl}`);
    }
    return source;
  });

  const cluster = await core.group(`Cluster (${inputs.cluster})`, async () => {
    const prepared = await prepareCluster(inputs, kindLogger, abort.signal);
    core.info(`running on ${prepared.description}`);
    return prepared;
  });

  // Saved as it becomes known, so a step killed at any point leaves the post step what it needs.
  let runState: RunState = {
    namespace: inputs.namespace ?? DEFAULT_NAMESPACE,
    jobName: "",
    selector: "",
    keep: inputs.keep === true,
    keepPreview: inputs["keep-preview"],
    finished: false,
  };
  const updateRunState = (change: Partial<RunState>) => {
    runState = { ...runState, ...change };
    if (runState.selector) saveRun(runState);
  };
  const log = new RunLog({
    printContext: pullRequest.kind !== "context",
    onContext: (context) =>
      updateRunState({
        selector: Object.entries(prPodLabels(context))
          .map(([key, value]) => `${key}=${value}`)
          .join(","),
      }),
    onNamespace: (namespace) => updateRunState({ namespace }),
    onJobCreated: (namespace, jobName) => updateRunState({ namespace, jobName }),
    onPreviewStarted: (previewNamespace) => updateRunState({ previewNamespace }),
    onPreviewSettled: () => updateRunState({ previewNamespace: undefined }),
  });

  const options = runOptionsFor(inputs, { kubeConfig: cluster.kubeConfig, pullRequest, signal: abort.signal });
  if (preview) options.preview = preview;
  const feedback = feedbackFor(inputs, {
    eventName: actionsContext.eventName,
    payload: actionsContext.payload,
    repository: process.env["GITHUB_REPOSITORY"] ?? "",
    apiUrl: actionsContext.apiUrl,
    serverUrl: actionsContext.serverUrl,
    runId: actionsContext.runId,
  });
  if (feedback) options.report = feedback;
  const run = runPrPod(options);
  log.start();
  try {
    for await (const event of run) log.render(event);
    // The runner has deleted what it made, or kept it as asked: nothing left for the post step.
    updateRunState({ finished: true });
  } finally {
    log.close();
  }
  const result = await run.result;
  reportResult(result);
  await writeJobSummary(result);
}

function reportResult(result: RunResult): void {
  for (const [name, value] of Object.entries(actionOutputsFor(result))) core.setOutput(name, value);
  const failure = failureAnnotationFor(result);
  if (failure) {
    core.error(failure.message, { title: failure.title });
    // As the CLI: 20 when the preview did not deploy, 21 when its tests failed, else 1.
    process.exitCode = exitCodeFor(result);
  } else {
    core.info(`pr-pod ${result.status}: ${result.message}`);
  }
}

/** No result came back (bad input, not a PR, cluster unreachable, forbidden...): say why everywhere. */
async function reportRunError(error: unknown): Promise<void> {
  const report = runErrorReportFor(error);
  for (const [name, value] of Object.entries(report.outputs)) core.setOutput(name, value);
  core.error([report.message, ...report.details].join("\n"), { title: report.title });
  process.exitCode = core.ExitCode.Failure;
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  const summary = core.summary
    .addHeading(`pr-pod: ${escapeHtml(report.title)}`, 2)
    .addRaw(`<p>${escapeHtml(report.message)}</p>`, true);
  if (report.details.length > 0) summary.addList(report.details.map(escapeHtml));
  await summary.write();
}

async function writeJobSummary(result: RunResult): Promise<void> {
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  const content = jobSummaryFor(result);
  const summary = core.summary.addHeading(content.heading, 2);
  for (const line of content.lines) summary.addRaw(`<p>${line}</p>`, true);
  for (const table of content.tables) {
    summary.addHeading(table.title, 3);
    summary.addTable([table.header.map((data) => ({ data, header: true })), ...table.rows]);
  }
  await summary.write();
}

/** Deletes what the main step left: the run's objects (unless keep), the kind cluster it made, its temp files. */
async function post(): Promise<void> {
  const state = readPostState();
  // The cluster's kubeconfig, loaded once, when a cleanup needs it.
  let kubeConfig: KubeConfig | undefined;
  const kubeConfigOf = () =>
    (kubeConfig ??= state.kubeconfigPath ? loadKubeConfig(state.kubeconfigPath) : loadRunnerKubeConfig());
  await core.group("Cleanup", async () => {
    if (state.run?.finished) {
      core.info("the run ended in the main step, which deleted its objects (or kept them, as asked)");
    } else if (state.run?.selector && !state.run.keep) {
      try {
        const deleted = await cleanupPrPods({
          kubeConfig: kubeConfigOf(),
          namespace: state.run.namespace,
          selector: state.run.selector,
        });
        core.info(
          deleted.length > 0
            ? `deleted ${deleted.map((object) => `${object.kind} ${object.name}`).join(", ")}`
            : `nothing of the run left in namespace ${state.run.namespace}`,
        );
      } catch (error) {
        core.warning(
          `could not delete the run's objects (selector ${state.run.selector} in namespace ${state.run.namespace}): ${messageOf(error)}. Delete them with: kubectl delete all,secrets,serviceaccounts,roles,rolebindings -n ${state.run.namespace} -l ${state.run.selector}`,
        );
      }
    } else if (state.run?.keep) {
      core.info(
        `keep is true: leaving ${state.run.jobName || "the run's objects"} in namespace ${state.run.namespace}`,
      );
    }
    // A kind cluster this step made goes as a whole below, its previews with it.
    if (state.run?.previewNamespace && !state.kindCluster) {
      await deleteUnfinishedPreview(state.run, kubeConfigOf);
    }
    if (state.kindCluster) {
      try {
        await deleteKindCluster(state.kindCluster.name, {
          kind: state.kindCluster.kindPath,
          kubeconfigPath: state.kubeconfigPath,
          logger: kindLogger,
        });
        core.info(`deleted the kind cluster "${state.kindCluster.name}"`);
      } catch (error) {
        core.warning(`could not delete the kind cluster "${state.kindCluster.name}": ${messageOf(error)}`);
      }
    }
    if (state.tempDir) await rm(state.tempDir, { recursive: true, force: true });
  });
}

/**
 * A run cut short after its preview deploy started (cancelled, killed, broke off) never reached its
 * teardown, or its teardown failed: the preview may be half-made. Deleted here, the same way
 * pr-pod preview down does, unless keep-preview asked to keep it.
 */
async function deleteUnfinishedPreview(run: RunState, kubeConfigOf: () => KubeConfig): Promise<void> {
  const namespace = run.previewNamespace ?? "";
  if (run.keepPreview) {
    core.info(`keep-preview is true: leaving the preview namespace ${namespace}`);
    return;
  }
  try {
    await deletePreview(kubeConfigOf(), namespace);
    core.info(`deleted the preview namespace ${namespace} the run left`);
  } catch (error) {
    core.warning(
      `could not delete the preview namespace ${namespace}: ${messageOf(error)}. Delete it with: pr-pod preview down ${namespace} (or kubectl delete namespace ${namespace})`,
    );
  }
}

/** Runs one phase, turning any error into a failed step with its message (never a stack trace). */
async function runPhase(phase: () => Promise<void>): Promise<void> {
  try {
    await phase();
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

silenceDependencyWarnings();
if (isPost) {
  await runPhase(post);
} else {
  markMainStarted();
  await runPhase(main);
}
