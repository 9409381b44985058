// `pr-pod preview list|logs|down|expire`: the previews pr-pod deployed (namespaces labelled
// pr-pod.dev/component=preview), their workloads' logs, deleting one, and deleting those whose keep
// time has passed.
// Statically (this file is loaded on demand anyway): a dynamic import() of client-node would keep
// every API class of it in the CLI bundle's shared client-node chunk, which every run loads.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { handleInterrupts } from "../interrupts.ts";

export interface PreviewFlags {
  repo?: string;
  pr?: number;
}

export async function listPreviewsCommand(environment: CommandEnvironment): Promise<number> {
  const { terminal } = environment;
  const { kubeConfig } = environment.loadKube();
  const { listPreviews } = await import("@pr-pod/preview-deploy");
  const items = await listPreviews(kubeConfig);
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewList", items });
  if (terminal.mode === "text") {
    if (items.length === 0) terminal.out("no previews");
    for (const p of items) {
      terminal.out(
        `${p.namespace}  ${p.repo ?? "?"}#${p.pr ?? "?"}  ${p.expiresAt ? `kept until ${p.expiresAt}` : "not kept"}`,
      );
    }
  }
  return EXIT_CODES.success;
}

/**
 * `pr-pod preview down NAME` deletes that preview (a namespace without the preview label is refused,
 * so a typo never deletes some other namespace); `--repo --pr` deletes every preview of the pull
 * request, found by their labels (a custom `preview.namespace` too), as the webhook service does on
 * `closed`. Either waits until the namespaces are gone.
 */
export async function previewDownCommand(
  environment: CommandEnvironment,
  flags: PreviewFlags,
  args: string[],
): Promise<number> {
  const { terminal } = environment;
  const byPullRequest = args[0] === undefined && flags.repo !== undefined && flags.pr !== undefined;
  if (args[0] === undefined && !byPullRequest) {
    throw new CliError("USAGE", "pr-pod preview down needs the preview to delete", {
      fix: "name its namespace (pr-pod preview list shows them), or give --repo owner/name --pr N",
    });
  }
  if (byPullRequest && (!Number.isInteger(flags.pr) || (flags.pr as number) < 1)) {
    throw new CliError("USAGE", `--pr ${flags.pr} is not a pull request number`, {
      fix: "give its number, e.g. --pr 123",
    });
  }
  if (byPullRequest && !/^[^/\s]+\/[^/\s]+$/.test(flags.repo as string)) {
    throw new CliError("USAGE", `--repo ${JSON.stringify(flags.repo)} is not owner/name`, {
      fix: "give the repository as owner/name, e.g. --repo octo/app",
    });
  }
  const { kubeConfig } = environment.loadKube();
  const { deletePreview, deletePullRequestPreviews, PREVIEW_LABELS } = await import("@pr-pod/preview-deploy");
  let namespaces: string[];
  if (byPullRequest) {
    const pullRequest = { repo: flags.repo as string, pr: flags.pr as number };
    terminal.phase(`deleting the previews of ${pullRequest.repo}#${pullRequest.pr}`);
    ({ namespaces } = await deletePullRequestPreviews(kubeConfig, pullRequest));
  } else {
    const namespace = args[0] as string;
    await readPreviewNamespace(kubeConfig, namespace, PREVIEW_LABELS.component, {
      missingFix: "pr-pod preview list shows the previews (it may be gone already)",
      notPreviewSuffix: ", so it is left alone",
      notPreviewFix: "pr-pod preview list shows the previews; delete other namespaces with kubectl delete namespace",
    });
    terminal.phase(`deleting preview namespace ${namespace}`);
    await deletePreview(kubeConfig, namespace);
    namespaces = [namespace];
  }
  terminal.endPhase();
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewDeleted", namespaces });
  if (terminal.mode === "text") {
    terminal.out(
      namespaces.length > 0
        ? namespaces.map((namespace) => `deleted preview ${namespace}`).join("\n")
        : `${flags.repo}#${flags.pr} has no previews (pr-pod preview list shows them)`,
    );
  }
  return EXIT_CODES.success;
}

export async function expirePreviewsCommand(environment: CommandEnvironment): Promise<number> {
  const { terminal } = environment;
  const { kubeConfig } = environment.loadKube();
  const { cleanupExpiredPreviews } = await import("@pr-pod/preview-deploy");
  terminal.phase("deleting previews whose keep time has passed");
  const deleted = await cleanupExpiredPreviews(kubeConfig);
  terminal.endPhase();
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewsExpired", deleted });
  if (terminal.mode === "text") {
    terminal.out(deleted.length ? deleted.map((n) => `deleted preview ${n}`).join("\n") : "no preview has expired");
  }
  return EXIT_CODES.success;
}

export interface PreviewLogsFlags extends PreviewFlags {
  follow?: boolean;
  container?: string;
  since?: string;
  tail?: number;
  timestamps?: boolean;
}

/** `--since 90s|15m|2h` in seconds (as kubectl logs --since takes it). */
export function parseSinceSeconds(since: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(since.trim());
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0) {
    throw new CliError("USAGE", `--since ${JSON.stringify(since)} is not a duration`, {
      fix: "give a whole number with s, m or h, e.g. --since 90s, --since 15m, --since 2h",
    });
  }
  return amount * { s: 1, m: 60, h: 3600 }[match[2] as "s" | "m" | "h"];
}

/**
 * `pr-pod preview logs`: the log of every container of every pod in a preview (its Deployments'
 * pods, test Jobs' pods), through log-streamer, each line prefixed with `[pod/container]` when there
 * are several; --follow streams them all live until they end or Ctrl-C.
 */
export async function previewLogsCommand(
  environment: CommandEnvironment,
  flags: PreviewLogsFlags,
  args: string[],
): Promise<number> {
  const { terminal } = environment;
  const { PREVIEW_LABELS, listPreviews, previewNamespaceName } = await import("@pr-pod/preview-deploy");
  let namespace =
    args[0] ?? (flags.repo && flags.pr !== undefined ? previewNamespaceName({ repo: flags.repo, pr: flags.pr }) : "");
  if (!namespace) {
    throw new CliError("USAGE", "pr-pod preview logs needs the preview to read", {
      fix: "name its namespace (pr-pod preview list shows them), or give --repo owner/name --pr N",
    });
  }
  const sinceSeconds = flags.since === undefined ? undefined : parseSinceSeconds(flags.since);
  if (flags.tail !== undefined && (!Number.isInteger(flags.tail) || flags.tail < 0)) {
    throw new CliError("USAGE", `--tail ${flags.tail} is not a number of lines`, {
      fix: "give a whole number, e.g. --tail 50",
    });
  }
  const { kubeConfig } = environment.loadKube();
  if (args[0] === undefined && flags.repo !== undefined && flags.pr !== undefined) {
    // The PR's preview by its labels, so a custom preview.namespace is found too.
    const previews = (await listPreviews(kubeConfig, { repo: flags.repo, pr: flags.pr })).map((p) => p.namespace);
    if (previews.length > 1) {
      throw new CliError("USAGE", `${flags.repo}#${flags.pr} has ${previews.length} previews: ${previews.join(", ")}`, {
        fix: `name the one to read, e.g. pr-pod preview logs ${previews[0]}`,
      });
    }
    if (previews[0]) namespace = previews[0];
  }
  await readPreviewNamespace(kubeConfig, namespace, PREVIEW_LABELS.component, {
    terminatingIsMissing: true,
    missingFix:
      "pr-pod preview list shows the previews; a run tears its preview down at the end unless run with --keep-preview",
    notPreviewFix: "pr-pod preview list shows the previews; for other namespaces use kubectl logs",
  });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const pods = (await core.listNamespacedPod({ namespace })).items
    .filter((pod) => !pod.metadata?.deletionTimestamp)
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  const streams = pods.flatMap((pod) =>
    (pod.spec?.containers ?? [])
      .filter((container) => flags.container === undefined || container.name === flags.container)
      .map((container) => ({ pod: pod.metadata?.name ?? "", container: container.name })),
  );
  if (flags.container !== undefined && streams.length === 0 && pods.length > 0) {
    const names = [...new Set(pods.flatMap((pod) => (pod.spec?.containers ?? []).map((c) => c.name)))];
    throw new CliError("USAGE", `no pod in preview ${namespace} has a container named ${flags.container}`, {
      fix: `its containers: ${names.join(", ")}`,
    });
  }
  if (streams.length === 0) terminal.info(terminal.style("dim", `preview ${namespace} has no pods`));

  const { followPodLogs } = await import("@pr-pod/log-streamer");
  const interrupts = handleInterrupts(terminal, "(nothing to clean up: pr-pod preview logs only reads)");
  const collected: { pod: string; container: string; line: string; timestamp?: string }[] = [];
  const prefixed = streams.length > 1;
  const read = async (stream: { pod: string; container: string }) => {
    for await (const line of followPodLogs(kubeConfig, {
      namespace,
      podName: stream.pod,
      container: stream.container,
      follow: flags.follow === true,
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
      ...(flags.tail !== undefined ? { tailLines: flags.tail } : {}),
      signal: interrupts.signal,
      redact: terminal.redact.bind(terminal),
    })) {
      if (terminal.mode !== "text") {
        collected.push({ ...stream, line: line.line, ...(line.timestamp ? { timestamp: line.timestamp } : {}) });
        continue;
      }
      const text = flags.timestamps && line.timestamp ? `${line.timestamp} ${line.line}` : line.line;
      terminal.out(prefixed ? `[${stream.pod}/${stream.container}] ${text}` : text);
    }
  };
  try {
    // Printed up to now, one container after the other; followed, all at once as lines come.
    if (flags.follow) await Promise.all(streams.map(read));
    else for (const stream of streams) await read(stream);
  } catch (error) {
    if (!interrupts.signal.aborted) throw error;
  } finally {
    interrupts.dispose();
  }
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewLogs", namespace, lines: collected });
  return interrupts.received ? EXIT_CODES.interrupted : EXIT_CODES.success;
}

/**
 * Checks that namespace `name` is a pr-pod preview (labelled `<componentLabel>=preview`) before a command
 * touches it: PREVIEW_NOT_FOUND when it is missing (or, with terminatingIsMissing, being deleted) or is
 * some other namespace, with the command's own fix.
 */
async function readPreviewNamespace(
  kubeConfig: KubeConfig,
  name: string,
  componentLabel: string,
  how: { missingFix: string; notPreviewFix: string; notPreviewSuffix?: string; terminatingIsMissing?: boolean },
): Promise<void> {
  const found = await kubeConfig
    .makeApiClient(CoreV1Api)
    .readNamespace({ name })
    .catch((error: { code?: number }) => {
      if (error.code === 404) return undefined;
      throw error;
    });
  const terminating = how.terminatingIsMissing === true && Boolean(found?.metadata?.deletionTimestamp);
  if (!found || terminating) {
    throw new CliError(
      "PREVIEW_NOT_FOUND",
      `there is no preview ${name}${terminating ? " (it is being deleted)" : ""}`,
      {
        fix: how.missingFix,
      },
    );
  }
  if (found.metadata?.labels?.[componentLabel] !== "preview") {
    throw new CliError(
      "PREVIEW_NOT_FOUND",
      `namespace ${name} is not a pr-pod preview (no ${componentLabel}=preview label)${how.notPreviewSuffix ?? ""}`,
      { fix: how.notPreviewFix },
    );
  }
}
