// I/O: sends a run's feedback to GitHub through Octokit with the retry plugin (5xx, network) and the
// throttling plugin (primary and secondary rate limits, one write a second as GitHub asks:
// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
// `start()` marks the commit pending (status) or in_progress (check run); `finish()` sends exactly one
// final state, however often it is called. A check run the token may not create (403) falls back to
// a commit status with a notice. Nothing here throws at the caller: failures become warnings with
// the HTTP status and GitHub's message, because feedback must never change or hide a run's verdict.
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { gitHubTokenKind, redactor } from "@pr-pod/pat-secret/pure";
import BottleneckLight from "bottleneck/light.js";
import {
  checkConclusionOf,
  commentMarker,
  finalCheckRunOutput,
  finalStatusPayload,
  pendingStatusPayload,
  type RunOutcome,
  renderCommentBody,
} from "./render-feedback.ts";

const FeedbackOctokit = Octokit.plugin(restEndpointMethods, retry, throttling);
type FeedbackOctokitInstance = InstanceType<typeof FeedbackOctokit>;

export const DEFAULT_FEEDBACK_CONTEXT = "pr-pod";
export const GITHUB_API_URL = "https://api.github.com";

/** A GitHub App installation: the app's id and private key (PEM), and the installation to act as. */
export interface GitHubAppCredentials {
  appId: number | string;
  privateKey: string;
  installationId: number | string;
}

/** A token (PAT, GITHUB_TOKEN, installation token), or a GitHub App that mints installation tokens. */
export type GitHubFeedbackAuth = { token: string } | { app: GitHubAppCredentials };

export interface GitHubFeedbackOptions {
  auth: GitHubFeedbackAuth;
  /** The base repository: where statuses, check runs and comments go. */
  owner: string;
  repo: string;
  /** The commit the feedback is about: the PR's head SHA. */
  sha: string;
  /** The PR number (needed for the comment). */
  pullNumber?: number;
  /** Status context and check run name; one per pipeline. Default "pr-pod". */
  context?: string;
  /** Where "Details" leads: the workflow run, the service's page. */
  targetUrl?: string;
  /** "auto": a check run when the token may create one, else a commit status. Default "auto". */
  checkRun?: "auto" | "never";
  /** Keep one PR comment per pipeline up to date. Default false. */
  comment?: boolean;
  /** REST API root; GitHub Enterprise Server: https://HOST/api/v3. */
  baseUrl?: string;
  /** Retries of 5xx answers and network errors. Default 3. */
  retries?: number;
  /** How long one request to GitHub may take before it is given up (then retried as a network error). Default 10 s. */
  requestTimeoutMs?: number;
  /** Wait out a rate limit when it resets within this many seconds (twice at most). Default 60. */
  maxRateLimitWaitSeconds?: number;
  /** Milliseconds per second of `retry-after` and back-off (tests make waits short). Default 1000. */
  retryAfterBaseMs?: number;
  /** Spacing of writes (GitHub asks for one a second; comments 3 s). Default 1000 (3000 for comments). */
  minWriteIntervalMs?: number;
  /** Log lines kept for the check run's text. Default 500. */
  keepLogLines?: number;
  /** Cuts secrets from any text this package reports (the run's own redactor). */
  redact?: (text: string) => string;
  /** Called for every warning (a failed call, a fallback). */
  onWarning?: (message: string) => void;
}

export interface FeedbackWarning {
  message: string;
  /** HTTP status GitHub answered with, when it answered. */
  status?: number;
}

export interface FeedbackSummary {
  /** How the verdict reached the PR: "check-run", "commit-status", or "none" when every call failed. */
  via: "check-run" | "commit-status" | "none";
  /** The PR comment, when one was written. */
  commentId?: number;
  warnings: FeedbackWarning[];
}

/** One run's feedback on GitHub. */
export interface GitHubFeedback {
  /** Pending status or in_progress check run. Never throws. */
  start(): Promise<void>;
  /** Remember a (redacted) log line for the check run's text. */
  logLine(line: string): void;
  /** Exactly one final state: later calls return the first call's answer. Never throws. */
  finish(outcome: RunOutcome): Promise<FeedbackSummary>;
  readonly warnings: readonly FeedbackWarning[];
}

interface RequestErrorLike {
  status: number;
  message: string;
  response?: { data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number";
}

/** The secrets this package holds: the token, or the app's private key (each of its lines too). */
function secretsOf(auth: GitHubFeedbackAuth): string[] {
  if ("token" in auth) return [auth.token];
  const lines = auth.app.privateKey
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith("-----"));
  return [auth.app.privateKey, ...lines];
}

/** Checks the options up front, so a wrong setting is an error for the caller, not a warning later. */
function validateOptions(options: GitHubFeedbackOptions): void {
  const problems: string[] = [];
  if (!/^[0-9a-f]{40}$/i.test(options.sha)) problems.push(`sha "${options.sha}" is not a 40-hex commit SHA`);
  if (!options.owner || !options.repo) problems.push("owner and repo are required");
  if ("token" in options.auth && !options.auth.token) problems.push("the GitHub token is empty");
  if ("app" in options.auth) {
    const { appId, privateKey, installationId } = options.auth.app;
    if (!/^\d+$/.test(String(appId))) problems.push("the GitHub App id must be a number");
    if (!/^\d+$/.test(String(installationId))) problems.push("the GitHub App installation id must be a number");
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
      problems.push("the GitHub App private key is not a PEM private key (-----BEGIN RSA PRIVATE KEY-----)");
    }
  }
  if (options.comment && options.pullNumber === undefined) problems.push("a PR comment needs the PR number");
  if (options.targetUrl !== undefined && !/^https?:\/\//.test(options.targetUrl)) {
    problems.push(`target URL "${options.targetUrl}" must start with https:// or http://`);
  }
  if (problems.length > 0)
    throw new PrFeedbackError("INVALID_FEEDBACK_OPTIONS", `GitHub feedback: ${problems.join("; ")}`);
}

export type PrFeedbackErrorCode = "INVALID_FEEDBACK_OPTIONS" | "GITHUB_APP_CONFIG";

export class PrFeedbackError extends Error {
  readonly code: PrFeedbackErrorCode;
  constructor(code: PrFeedbackErrorCode, message: string) {
    super(message);
    this.name = "PrFeedbackError";
    this.code = code;
  }
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
}

function createOctokit(options: GitHubFeedbackOptions): FeedbackOctokitInstance {
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const base = options.retryAfterBaseMs ?? 1000;
  const waitTwice = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < 2 && retryAfter <= maxWait;
  const common = {
    baseUrl: (options.baseUrl ?? GITHUB_API_URL).replace(/\/+$/, ""),
    userAgent: "pr-pod",
    log: { debug() {}, info() {}, warn() {}, error() {} },
    // Every request ends: a GitHub that accepts the connection and never answers must not hold a run's end.
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? 10_000) },
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: base },
    throttle: {
      onRateLimit: waitTwice,
      onSecondaryRateLimit: waitTwice,
      retryAfterBaseValue: base,
      // Per instance, so one run's spacing never slows another's.
      write: new BottleneckLight.Group({ maxConcurrent: 1, minTime: options.minWriteIntervalMs ?? 1000 }),
      // Writes that notify people (comments) GitHub asks to space further apart.
      notifications: new BottleneckLight.Group({ maxConcurrent: 1, minTime: options.minWriteIntervalMs ?? 3000 }),
    },
  };
  if ("token" in options.auth) return new FeedbackOctokit({ ...common, auth: options.auth.token });
  return new FeedbackOctokit({
    ...common,
    authStrategy: createAppAuth,
    auth: {
      appId: Number(options.auth.app.appId),
      privateKey: options.auth.app.privateKey,
      installationId: Number(options.auth.app.installationId),
    },
  });
}

/** Starts a run's feedback. Throws PrFeedbackError only for options that can never work. */
export function createGitHubFeedback(options: GitHubFeedbackOptions): GitHubFeedback {
  validateOptions(options);
  const context = options.context ?? DEFAULT_FEEDBACK_CONTEXT;
  const cut = redactor(secretsOf(options.auth));
  const redact = (text: string) => cut(options.redact ? options.redact(text) : text);
  const octokit = createOctokit(options);
  const { owner, repo, sha } = options;
  const keep = options.keepLogLines ?? 500;
  const log: string[] = [];
  const warnings: FeedbackWarning[] = [];
  // Only GitHub Apps (installation tokens, GITHUB_TOKEN) may create check runs; a personal access
  // token goes straight to a commit status instead of collecting a 403 on every run.
  const personal =
    "token" in options.auth && ["classic", "fine-grained", "oauth"].includes(gitHubTokenKind(options.auth.token));
  let useCheckRun = options.checkRun !== "never" && !personal;
  let checkRunId: number | undefined;
  let started: Promise<void> | undefined;
  let finished: Promise<FeedbackSummary> | undefined;

  const warn = (what: string, error: unknown): void => {
    let warning: FeedbackWarning;
    if (isRequestError(error)) {
      const data = error.response?.data as { message?: unknown } | undefined;
      const said = typeof data?.message === "string" ? data.message : error.message;
      warning = {
        status: error.status,
        message: redact(`GitHub feedback: ${what} failed with HTTP ${error.status}: ${oneLineOf(said)}`),
      };
    } else {
      warning = {
        message: redact(`GitHub feedback: ${what} failed: ${error instanceof Error ? error.message : String(error)}`),
      };
    }
    warnings.push(warning);
    options.onWarning?.(warning.message);
  };
  const notice = (message: string): void => {
    const warning = { message: redact(message) };
    warnings.push(warning);
    options.onWarning?.(warning.message);
  };

  const sendStatus = async (payload: ReturnType<typeof pendingStatusPayload>): Promise<boolean> => {
    try {
      await octokit.rest.repos.createCommitStatus({ owner, repo, sha, ...payload });
      return true;
    } catch (error) {
      warn(`setting commit status "${context}" to ${payload.state} on ${owner}/${repo}@${sha.slice(0, 7)}`, error);
      return false;
    }
  };

  const fallBackToStatus = (error: unknown): void => {
    useCheckRun = false;
    const said = isRequestError(error)
      ? ((error.response?.data as { message?: string } | undefined)?.message ?? error.message)
      : "";
    notice(
      `GitHub feedback: the token may not create check runs on ${owner}/${repo} (HTTP 403: ${oneLineOf(said)}), so the verdict goes to a commit status "${context}" instead; for a check run use a GitHub App installation token or GITHUB_TOKEN with "checks: write"`,
    );
  };

  const start = (): Promise<void> => {
    started ??= (async () => {
      if (useCheckRun) {
        try {
          const { data } = await octokit.rest.checks.create({
            owner,
            repo,
            head_sha: sha,
            name: context,
            status: "in_progress",
            started_at: new Date().toISOString(),
            ...(options.targetUrl ? { details_url: options.targetUrl } : {}),
            output: { title: "pr-pod is running", summary: "pr-pod is running the pull request's build." },
          });
          checkRunId = Number(data.id);
          return;
        } catch (error) {
          if (isRequestError(error) && error.status === 403) fallBackToStatus(error);
          else {
            warn(`creating check run "${context}" on ${owner}/${repo}@${sha.slice(0, 7)}`, error);
            useCheckRun = false;
          }
        }
      }
      await sendStatus(pendingStatusPayload(context, options.targetUrl));
    })();
    return started;
  };

  const writeComment = async (outcome: RunOutcome): Promise<number | undefined> => {
    const number = options.pullNumber!;
    const marker = commentMarker(context);
    const body = renderCommentBody(outcome, context, options.targetUrl ? { targetUrl: options.targetUrl } : {});
    try {
      let existing: number | undefined;
      for (let page = 1; existing === undefined; page++) {
        const { data } = await octokit.rest.issues.listComments({
          owner,
          repo,
          issue_number: number,
          per_page: 100,
          page,
        });
        const found = data.find((comment) => comment.body?.includes(marker));
        existing = found ? Number(found.id) : undefined;
        if (data.length < 100) break;
      }
      if (existing !== undefined) {
        await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing, body });
        return existing;
      }
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: number, body });
      return Number(data.id);
    } catch (error) {
      warn(`writing the PR comment on ${owner}/${repo}#${number}`, error);
      return undefined;
    }
  };

  const finish = (outcome: RunOutcome): Promise<FeedbackSummary> => {
    finished ??= (async () => {
      await start();
      const summaryOptions = { context, ...(options.targetUrl ? { targetUrl: options.targetUrl } : {}) };
      let via: FeedbackSummary["via"] = "none";
      if (useCheckRun && checkRunId !== undefined) {
        try {
          const output = finalCheckRunOutput(outcome, log.map(redact), summaryOptions);
          await octokit.rest.checks.update({
            owner,
            repo,
            check_run_id: checkRunId,
            status: "completed",
            conclusion: checkConclusionOf(outcome),
            completed_at: new Date().toISOString(),
            output,
          });
          via = "check-run";
        } catch (error) {
          warn(`completing check run "${context}" on ${owner}/${repo}@${sha.slice(0, 7)}`, error);
        }
      }
      if (via === "none" && (await sendStatus(finalStatusPayload(outcome, context, options.targetUrl))))
        via = "commit-status";
      const commentId = options.comment ? await writeComment(outcome) : undefined;
      return { via, ...(commentId !== undefined ? { commentId } : {}), warnings: [...warnings] };
    })();
    return finished;
  };

  return {
    start,
    logLine(line) {
      log.push(line);
      if (log.length > keep) log.splice(0, log.length - keep);
    },
    finish,
    warnings,
  };
}

function oneLineOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
