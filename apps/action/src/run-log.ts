// Renders the runner's events into the step's log: setup lines, then the pod's log in its own
// collapsible group. The pod runs the PR's code, so its lines are printed with workflow commands
// stopped: a line like `::add-mask::` or `::set-output` from a PR cannot reach the runner.
// https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#stopping-and-starting-workflow-commands
import { randomUUID } from "node:crypto";
import * as core from "@actions/core";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { RunEvent } from "@pr-pod/runner";
import { pullRequestName } from "./run-report.ts";

export interface RunLogHooks {
  /** Print the PR when the runner resolves it (off when the step already printed it). Default true. */
  printContext?: boolean;
  /** Called once the PR is known (the post step needs its labels). */
  onContext?(context: PullRequestContext): void;
  /** Called when the run knows its namespace (preflight). */
  onNamespace?(namespace: string): void;
  /** Called when the run's Job exists (created, or a running one reused). */
  onJobCreated?(namespace: string, jobName: string): void;
  /** Called when the preview's deploy starts, before anything of it exists. */
  onPreviewStarted?(namespace: string): void;
  /** Called when the preview's teardown deleted it, or skipped it because the preview is kept. */
  onPreviewSettled?(): void;
}

export function describePullRequest(context: PullRequestContext): string {
  return `${pullRequestName(context)} "${context.title}" by ${context.author}: ${context.headRef} at ${context.headSha.slice(0, 7)} into ${context.baseRef}`;
}

/**
 * Groups: "Run" (context, preflight, objects created) until the pod shows up, then "Pod log";
 * what follows (result, cleanup) prints ungrouped. GitHub's groups cannot nest.
 */
export class RunLog {
  private setupOpen = false;
  private podLogOpen = false;
  private resumeToken = "";
  private readonly write: (text: string) => void;

  constructor(
    private readonly hooks: RunLogHooks = {},
    write?: (text: string) => void,
  ) {
    this.write = write ?? ((text) => process.stdout.write(text));
  }

  render(event: RunEvent): void {
    switch (event.type) {
      case "resolved-context":
        if (this.hooks.printContext !== false) core.info(`pull request ${describePullRequest(event.context)}`);
        this.hooks.onContext?.(event.context);
        return;
      case "token-loaded":
        core.info(`GitHub token from ${event.source}`);
        return;
      case "preflight":
        core.info(`preflight in namespace ${event.namespace}: ${event.checks.length} checks passed`);
        for (const check of event.checks) core.debug(`preflight: ${check}`);
        this.hooks.onNamespace?.(event.namespace);
        return;
      case "local-registry":
        core.info(`images are pushed to the cluster's local registry ${event.host} (from ${event.source})`);
        return;
      case "reused":
        core.info(`following the running ${event.kind} ${event.namespace}/${event.name} of the same PR and SHA`);
        if (event.kind === "Job") this.hooks.onJobCreated?.(event.namespace, event.name);
        return;
      case "created":
        core.info(`created ${event.kind} ${event.namespace}/${event.name}`);
        if (event.kind === "Job") this.hooks.onJobCreated?.(event.namespace, event.name);
        return;
      case "pod-scheduled":
        this.openPodLog(`${event.podName}${event.nodeName ? ` on ${event.nodeName}` : ""}`);
        return;
      case "log-line":
        this.openPodLog();
        this.write(`${event.line}\n`);
        return;
      case "report":
        this.close();
        return;
      case "finished":
        this.close();
        return;
      case "warning":
        core.warning(event.message);
        return;
      case "preview": {
        const preview = event.event;
        if (preview.type === "preview-line") this.write(`[${preview.source}] ${preview.line}\n`);
        else if (preview.type === "stage-started") {
          core.info(`preview ${preview.stage} started in namespace ${preview.namespace}`);
          if (preview.stage === "deploy") this.hooks.onPreviewStarted?.(preview.namespace);
        } else {
          const { stage, status, durationMs, message } = preview.result;
          if (stage === "teardown" && status !== "failed") this.hooks.onPreviewSettled?.();
          core.info(
            `preview ${stage} ${status} in ${(durationMs / 1000).toFixed(1)} s${message ? `: ${message}` : ""}`,
          );
        }
        return;
      }
      case "cleaned-up":
        this.close();
        core.info(
          event.deleted.length > 0
            ? `deleted ${event.deleted.map((object) => `${object.kind} ${object.name}`).join(", ")}`
            : "nothing to delete",
        );
        return;
      default: {
        // A new event type in @pr-pod/runner fails the typecheck here until it is rendered.
        const unrendered: never = event;
        core.debug(`unrendered run event ${JSON.stringify(unrendered)}`);
      }
    }
  }

  /** Opens the "Run" group; call once before rendering events. */
  start(): void {
    core.startGroup("Run");
    this.setupOpen = true;
  }

  /** Closes whichever group is open; safe to call more than once. */
  close(): void {
    this.closeSetup();
    this.closePodLog();
  }

  private closeSetup(): void {
    if (!this.setupOpen) return;
    this.setupOpen = false;
    core.endGroup();
  }

  private closePodLog(): void {
    if (!this.podLogOpen) return;
    this.podLogOpen = false;
    this.write(`::${this.resumeToken}::\n`);
    core.endGroup();
  }

  private openPodLog(podName?: string): void {
    if (this.podLogOpen) return;
    this.closeSetup();
    this.podLogOpen = true;
    core.startGroup(podName ? `Pod log (${podName})` : "Pod log");
    this.resumeToken = `pr-pod-${randomUUID()}`;
    this.write(`::stop-commands::${this.resumeToken}\n`);
  }
}
