// The bridge the runner, the CLI, the action and the webhook service share: one pull request's
// context and the `report.github` settings in, a started GitHubFeedback out. GitHub App credentials
// come from the settings or from GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY(_FILE), GITHUB_APP_INSTALLATION_ID.
import { readFileSync } from "node:fs";
import { LOCAL_RUN_NUMBER, type PullRequestContext } from "@pr-pod/pr-context";
import {
  createGitHubFeedback,
  type GitHubAppCredentials,
  type GitHubFeedback,
  type GitHubFeedbackAuth,
  type GitHubFeedbackOptions,
  PrFeedbackError,
} from "./github-feedback.ts";

/** What `report: { github: ... }` in pr-pod.config and `--report github` set. */
export interface GitHubReportSettings {
  /** Status context and check run name. Default "pr-pod". */
  context?: string;
  /** Where "Details" leads (the action sets the workflow run's URL). */
  targetUrl?: string;
  /** "auto" (default): a check run when the token may, else a commit status. "never": status only. */
  checkRun?: "auto" | "never";
  /** One PR comment per pipeline, updated in place. Default false. */
  comment?: boolean;
  /** REST API root (GitHub Enterprise Server: https://HOST/api/v3). */
  apiUrl?: string;
  /** A token for the feedback alone; default: the run's own GitHub token. */
  token?: string;
  /** A GitHub App installation instead of a token. */
  app?: GitHubAppCredentials;
  /** Test knobs: shorter waits. */
  retryAfterBaseMs?: number;
  requestTimeoutMs?: number;
  minWriteIntervalMs?: number;
}

/**
 * GitHub App credentials from the environment, or undefined when none of the three is set.
 * A partial set is an error naming what is missing.
 */
export function loadGitHubAppCredentials(env: NodeJS.ProcessEnv = process.env): GitHubAppCredentials | undefined {
  const appId = env.GITHUB_APP_ID?.trim();
  const installationId = env.GITHUB_APP_INSTALLATION_ID?.trim();
  const keyFile = env.GITHUB_APP_PRIVATE_KEY_FILE?.trim();
  let privateKey = env.GITHUB_APP_PRIVATE_KEY?.replace(/\\n/g, "\n").trim();
  if (!appId && !installationId && !privateKey && !keyFile) return undefined;
  if (!privateKey && keyFile) {
    try {
      privateKey = readFileSync(keyFile, "utf8").trim();
    } catch (error) {
      throw new PrFeedbackError(
        "GITHUB_APP_CONFIG",
        `GITHUB_APP_PRIVATE_KEY_FILE ${keyFile} could not be read (${(error as NodeJS.ErrnoException).code ?? "error"}): point it at the .pem file GitHub gave you for the app`,
      );
    }
  }
  const missing = [
    !appId && "GITHUB_APP_ID",
    !privateKey && "GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE",
    !installationId && "GITHUB_APP_INSTALLATION_ID",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new PrFeedbackError(
      "GITHUB_APP_CONFIG",
      `GitHub App auth is half set up: ${missing.join(", ")} missing; set all three (the app id and installation id are on the app's settings page) or none`,
    );
  }
  return { appId: appId!, privateKey: privateKey!, installationId: installationId! };
}

export interface StartRunFeedbackOptions {
  settings: GitHubReportSettings;
  /** The run's token, used when the settings have neither a token nor an app. */
  runToken?: string;
  redact?: (text: string) => string;
  onWarning?: (message: string) => void;
  /** Read GitHub App credentials from here when the settings have none. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Feedback for the pull request of a run. Throws PrFeedbackError for settings that cannot work. */
export function createRunFeedback(context: PullRequestContext, options: StartRunFeedbackOptions): GitHubFeedback {
  const { settings } = options;
  const app = settings.app ?? (settings.token ? undefined : loadGitHubAppCredentials(options.env ?? process.env));
  const token = settings.token ?? options.runToken;
  let auth: GitHubFeedbackAuth;
  if (app) auth = { app };
  else if (token) auth = { token };
  else {
    throw new PrFeedbackError(
      "INVALID_FEEDBACK_OPTIONS",
      "GitHub feedback needs a token or a GitHub App: set GITHUB_PAT / GITHUB_TOKEN, or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_FILE and GITHUB_APP_INSTALLATION_ID",
    );
  }
  // A `run --source` with no open PR (number 0) still gets its commit status; there is no PR to comment on.
  const onPullRequest = context.number !== LOCAL_RUN_NUMBER;
  if (settings.comment && !onPullRequest) {
    options.onWarning?.(
      `no PR comment: this local run of ${context.owner}/${context.repo} belongs to no pull request; the commit status still goes on ${context.headSha.slice(0, 7)}`,
    );
  }
  const feedbackOptions: GitHubFeedbackOptions = {
    auth,
    owner: context.owner,
    repo: context.repo,
    sha: context.headSha,
    ...(onPullRequest ? { pullNumber: context.number } : {}),
    ...(settings.context ? { context: settings.context } : {}),
    ...(settings.targetUrl ? { targetUrl: settings.targetUrl } : {}),
    ...(settings.checkRun ? { checkRun: settings.checkRun } : {}),
    ...(settings.comment !== undefined ? { comment: settings.comment && onPullRequest } : {}),
    ...(settings.apiUrl ? { baseUrl: settings.apiUrl } : {}),
    ...(settings.retryAfterBaseMs !== undefined ? { retryAfterBaseMs: settings.retryAfterBaseMs } : {}),
    ...(settings.requestTimeoutMs !== undefined ? { requestTimeoutMs: settings.requestTimeoutMs } : {}),
    ...(settings.minWriteIntervalMs !== undefined ? { minWriteIntervalMs: settings.minWriteIntervalMs } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
  return createGitHubFeedback(feedbackOptions);
}
