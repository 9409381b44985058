// `pr-pod serve`: the webhook service (@pr-pod/webhook-service) in the foreground. Flags and env
// vars in, JSON logs on stdout, until SIGTERM/SIGINT: then it stops accepting, lets running runs
// finish within --shutdown-grace, aborts and cleans up the rest, and exits 0. Inside a pod, the
// kubeconfig lookup ends at the service account (KUBERNETES_SERVICE_HOST), so no flag is needed.
import { readFile } from "node:fs/promises";
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { loadTokenForRun } from "../token.ts";

export interface ServeFlags {
  port: number;
  host?: string;
  webhookSecretFile?: string;
  maxRunning: number;
  maxRunningPerRepo: number;
  maxQueued: number;
  forks: "label" | "always" | "never";
  okToTestLabel?: string;
  drafts?: boolean;
  requireLabel?: string[];
  installationId?: number[];
  instance?: string;
  shutdownGrace: number;
  lease: number;
  image?: string;
  checkout?: "head" | "merge";
  build: boolean;
  verify?: string[];
  timeout?: number;
  envFile?: string;
  allowForkToken?: boolean;
  deployPreviews?: boolean;
  keepPreviews?: boolean;
  previewTtl?: number;
  report?: "github" | "none";
  reportContext?: string;
  githubApiUrl?: string;
}

/** The webhook secret: PR_POD_WEBHOOK_SECRET, else --webhook-secret-file (a mounted Secret). */
export async function loadWebhookSecret(env: NodeJS.ProcessEnv, file: string | undefined): Promise<string> {
  if (file) {
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new CliError(
        "USAGE",
        `--webhook-secret-file ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`,
        {
          fix: "point it at a file that holds the webhook's secret (in the chart: the mounted Secret)",
        },
      );
    });
    const secret = text.trim();
    if (!secret)
      throw new CliError("USAGE", `--webhook-secret-file ${file} is empty`, {
        fix: "write the webhook's secret into it",
      });
    return secret;
  }
  const secret = env["PR_POD_WEBHOOK_SECRET"]?.trim();
  if (!secret) {
    throw new CliError("USAGE", "no webhook secret: pr-pod serve never accepts unsigned deliveries", {
      fix: "set PR_POD_WEBHOOK_SECRET (or --webhook-secret-file) to the secret of the GitHub webhook",
    });
  }
  return secret;
}

export default async function serveCommand(environment: CommandEnvironment, flags: ServeFlags): Promise<number> {
  const { terminal, env } = environment;
  const secret = await loadWebhookSecret(env, flags.webhookSecretFile);
  if (!flags.deployPreviews && (flags.keepPreviews || flags.previewTtl !== undefined)) {
    throw new CliError("USAGE", `${flags.keepPreviews ? "--keep-previews" : "--preview-ttl"} needs --deploy-previews`, {
      fix: "add --deploy-previews (in the chart: previews.deploy: true), or leave it out",
    });
  }
  if (flags.previewTtl !== undefined && flags.previewTtl < 1) {
    throw new CliError("USAGE", `--preview-ttl ${flags.previewTtl} is not a number of hours`, {
      fix: "give at least 1, e.g. --preview-ttl 24",
    });
  }
  let token: string | undefined;
  try {
    token = await loadTokenForRun(environment, flags.envFile);
  } catch (error) {
    if (!/TOKEN|MISSING/.test(String((error as { code?: unknown }).code))) throw error;
    terminal.warn("no GitHub token: pods clone without one (public repositories only) and no statuses are posted");
  }
  const { kubeConfig } = environment.loadKube();
  const { githubCollaboratorCheck, githubFeedback, startWebhookService } = await import("@pr-pod/webhook-service");
  const inCluster = Boolean(env["KUBERNETES_SERVICE_HOST"]);
  const report = flags.report ?? (token ? "github" : "none");
  const service = await startWebhookService({
    kubeConfig,
    secret,
    port: flags.port,
    host: flags.host ?? (inCluster ? "0.0.0.0" : "127.0.0.1"),
    ...(environment.globals.namespace ? { namespace: environment.globals.namespace } : {}),
    ...(flags.instance ? { instanceId: flags.instance } : {}),
    ...(token ? { token } : {}),
    ...(flags.allowForkToken ? { allowForkToken: true } : {}),
    ...(flags.deployPreviews
      ? {
          previews: {
            helmPath: env["PR_POD_HELM"] ?? "helm",
            keep: flags.keepPreviews === true,
            ...(flags.previewTtl !== undefined ? { ttlHours: flags.previewTtl } : {}),
          },
        }
      : {}),
    ...(flags.installationId ? { installationIds: flags.installationId } : {}),
    ...(token
      ? {
          isCollaborator: githubCollaboratorCheck({
            token,
            ...(flags.githubApiUrl ? { apiUrl: flags.githubApiUrl } : {}),
          }),
        }
      : {}),
    policy: {
      skipDrafts: flags.drafts !== true,
      forks: flags.forks,
      ...(flags.okToTestLabel ? { okToTestLabel: flags.okToTestLabel } : {}),
      ...(flags.requireLabel ? { requiredLabels: flags.requireLabel } : {}),
    },
    maxRunning: flags.maxRunning,
    maxRunningPerRepo: flags.maxRunningPerRepo,
    maxQueued: flags.maxQueued,
    shutdownGraceMs: flags.shutdownGrace * 1000,
    leaseDurationMs: flags.lease * 1000,
    run: {
      ...(flags.image ? { image: flags.image } : {}),
      ...(flags.checkout ? { checkout: flags.checkout } : {}),
      ...(flags.build === false ? { build: false } : {}),
      ...(flags.verify ? { verify: flags.verify } : {}),
      ...(flags.timeout ? { timeoutSeconds: flags.timeout } : {}),
    },
    ...(report === "github"
      ? {
          feedback: githubFeedback({
            ...(token ? { token } : {}),
            settings: {
              ...(flags.reportContext ? { context: flags.reportContext } : {}),
              ...(flags.githubApiUrl ? { apiUrl: flags.githubApiUrl } : {}),
            },
          }),
        }
      : {}),
  });
  terminal.info(`pr-pod serve: deliveries to ${service.url}/webhook, health at /healthz, metrics at /metrics`);

  const signal = await new Promise<"SIGINT" | "SIGTERM">((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  terminal.info(`${signal}: no new deliveries; letting running runs finish (at most ${flags.shutdownGrace} s)`);
  await service.close();
  return EXIT_CODES.success;
}

/** `pr-pod simulate --to URL`: POSTs the payload as GitHub would, signed, and prints the answer. */
export async function sendSignedDelivery(
  url: string,
  secret: string,
  payload: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { Webhooks } = await import("@octokit/webhooks");
  const body = JSON.stringify(payload);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      body,
      headers: {
        ...headers,
        "content-type": "application/json",
        "user-agent": "pr-pod-simulate",
        "x-hub-signature-256": await new Webhooks({ secret }).sign(body),
      },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new CliError("USAGE", `--to ${url}: no answer (${(error as Error).cause ?? (error as Error).message})`, {
      fix: "start the service first (pr-pod serve --port PORT) and pass its URL",
    });
  }
  return { status: response.status, body: await response.text() };
}
