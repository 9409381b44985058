// `pr-pod simulate`: a pull_request webhook delivery, from a file (--event) or made from flags, fed
// through the webhook path (the runner's `webhook` source, pr-context's webhook parser) exactly as a
// real delivery would be. --print-payload stops after resolving it, with no cluster.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { cleanupCommandLine } from "../cleanup-command.ts";
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { optionalToken, resolveContextFromFlags } from "../pull-request-context.ts";
import { pullRequestSourceFromFlags } from "../pull-request-flags.ts";
import { pullRequestPayload } from "../pull-request-payload.ts";
import { runAndRender } from "../run-session.ts";
import { loadRunner } from "../runner-module.ts";
import { loadTokenForRun } from "../token.ts";
import { type RunFlags, runOptionsFromFlags } from "./run.ts";

interface SimulateFlags extends RunFlags {
  event?: string;
  action: string;
  printPayload?: boolean;
  baseSha?: string;
  /** POST the signed delivery to a running pr-pod serve instead of running it here. */
  to?: string;
  webhookSecretFile?: string;
}

async function payloadFromFlags(environment: CommandEnvironment, flags: SimulateFlags): Promise<unknown> {
  const source = pullRequestSourceFromFlags(flags);
  if (source.kind === "local-checkout") throw new Error("unreachable: simulate has no --source");
  const token = source.kind === "github-api" ? await optionalToken(environment.env, flags.envFile) : undefined;
  const context = await resolveContextFromFlags(source, token);
  const baseSha = flags.baseSha ?? context.baseSha;
  if (!baseSha) {
    throw new CliError(
      "USAGE",
      "a pull_request payload carries the base branch's commit, and offline flags do not say it",
      {
        fix: "add --base-sha <sha of the target branch>, or drop --sha/--head-ref/--base-ref to fetch the PR from GitHub",
      },
    );
  }
  return pullRequestPayload(context, { action: flags.action, baseSha });
}

async function payloadFromFile(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CliError("EVENT_FILE", `--event ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`, {
      fix: "pass the path of a saved pull_request delivery body (JSON)",
    });
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError("EVENT_FILE", `--event ${file} is not JSON: ${(error as Error).message}`, {
      fix: "save the delivery's body exactly as GitHub sent it (Settings → Webhooks → Recent Deliveries → Payload)",
      cause: error,
    });
  }
}

export default async function simulateCommand(environment: CommandEnvironment, flags: SimulateFlags): Promise<number> {
  const { terminal } = environment;
  const payload = flags.event ? await payloadFromFile(flags.event) : await payloadFromFlags(environment, flags);
  const headers = { "x-github-event": "pull_request", "x-github-delivery": randomUUID() };
  if (flags.printPayload) {
    const { pullRequestContextFromWebhook } = await import("@pr-pod/pr-context");
    const context = await pullRequestContextFromWebhook({ payload: payload as object, headers });
    terminal.document({
      apiVersion: "pr-pod.dev/v1",
      kind: "PullRequestPreview",
      event: "pull_request",
      headers,
      payload,
      pullRequest: context,
    });
    if (terminal.mode === "text") {
      terminal.out(JSON.stringify(payload, null, 2));
      terminal.info(
        `resolves to ${context.owner}/${context.repo}#${context.number} at ${context.headSha.slice(0, 7)} (${context.headRef} → ${context.baseRef}${context.isFork ? ", from a fork" : ""})`,
      );
    }
    return EXIT_CODES.success;
  }
  if (flags.to) {
    const { loadWebhookSecret, sendSignedDelivery } = await import("./serve.ts");
    const secret = await loadWebhookSecret(environment.env, flags.webhookSecretFile);
    const answer = await sendSignedDelivery(flags.to, secret, payload, headers);
    terminal.document({
      apiVersion: "pr-pod.dev/v1",
      kind: "DeliveryAnswer",
      delivery: headers["x-github-delivery"],
      ...answer,
    });
    if (terminal.mode === "text") terminal.out(`${answer.status} ${answer.body.trim()}`);
    return answer.status < 300 ? EXIT_CODES.success : EXIT_CODES.badInput;
  }
  const token = await loadTokenForRun(environment, flags.envFile);
  let kubeConfig: KubeConfig;
  let closeCluster: (() => Promise<void>) | undefined;
  if (flags.cluster === "test") {
    const { startDemoCluster } = await import("./demo.ts");
    const cluster = await startDemoCluster(environment);
    kubeConfig = cluster.kubeConfig;
    closeCluster = cluster.close;
  } else {
    kubeConfig = environment.loadKube().kubeConfig;
  }
  try {
    const runner = await loadRunner();
    return await runAndRender(
      environment,
      runner.runPrPod,
      {
        ...runOptionsFromFlags(environment, flags),
        kubeConfig,
        token,
        pullRequest: { kind: "webhook", payload, headers },
      },
      { cleanupCommand: (context) => cleanupCommandLine(environment.globals, context) },
    );
  } finally {
    await closeCluster?.();
  }
}
