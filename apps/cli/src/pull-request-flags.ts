// The flags that say which pull request a command is about, shared by run, render and simulate,
// and how they turn into the runner's PullRequestSource:
//   --repo o/n --pr N                                  → GitHub REST API
//   --repo o/n --pr N --sha S --head-ref H --base-ref B → offline, no API call
//   --source DIR                                        → the local checkout (see local-source.ts)

import type { PullRequestSource } from "@pr-pod/runner";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "./cli-error.ts";

export interface PullRequestFlags {
  repo?: string;
  pr?: number;
  sha?: string;
  headRef?: string;
  baseRef?: string;
  cloneUrl?: string;
  headRepo?: string;
  headCloneUrl?: string;
  githubApiUrl?: string;
  source?: string;
}

/** The runner's own `github-api` and `offline` sources, or a checkout the CLI reads itself. */
export type FlagPullRequestSource =
  | Extract<PullRequestSource, { kind: "github-api" | "offline" }>
  | { kind: "local-checkout"; directory: string; repo?: string; pr?: number; baseRef?: string };

export function addPullRequestFlags(command: Command, options: { source?: boolean } = {}): Command {
  command
    .option("--repo <owner/name>", "the repository the pull request targets")
    .option("--pr <number>", "the pull request number", parsePullRequestNumber)
    .option("--sha <sha>", "head commit SHA (with --head-ref and --base-ref: no GitHub API call)")
    .option("--head-ref <branch>", "the PR's branch (offline mode)")
    .option("--base-ref <branch>", "the branch the PR targets (offline mode)")
    .option(
      "--clone-url <url>",
      "clone URL of the repository, head and base alike (offline mode and --source; default https://github.com/<repo>.git, or the checkout remote)",
    )
    .option("--head-repo <owner/name>", "offline mode: the PR comes from this fork, on the same server as --clone-url")
    .option("--head-clone-url <url>", "offline mode: the PR comes from the fork at this clone URL")
    .option("--github-api-url <url>", "GitHub Enterprise API base URL (default https://api.github.com)");
  if (options.source) {
    command.option(
      "--source <dir>",
      "build the local checkout as it is now: unpushed commits and uncommitted changes included",
    );
  }
  return command;
}

export function parsePullRequestNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError(`"${value}" is not a pull request number (a whole number, 1 or more).`);
  }
  return number;
}

/** Which pull request the flags name, or a usage error saying which flags are missing. */
export function pullRequestSourceFromFlags(flags: PullRequestFlags): FlagPullRequestSource {
  const forkFlag =
    flags.headRepo !== undefined ? "--head-repo" : flags.headCloneUrl !== undefined ? "--head-clone-url" : "";
  if (forkFlag && (flags.source || flags.sha === undefined)) {
    throw new CliError("USAGE", `${forkFlag} names a fork for offline mode only`, {
      fix: flags.source
        ? `drop ${forkFlag}: a local checkout is the repository its remote points at`
        : `drop ${forkFlag} (the GitHub API says whether the PR is from a fork), or add --sha --head-ref --base-ref`,
    });
  }
  if (flags.source) {
    return { kind: "local-checkout", directory: flags.source, repo: flags.repo, pr: flags.pr, baseRef: flags.baseRef };
  }
  const offlineFlags = [flags.sha, flags.headRef, flags.baseRef].filter((value) => value !== undefined);
  if (!flags.repo || flags.pr === undefined) {
    throw new CliError("USAGE", "which pull request? --repo and --pr are required", {
      fix: "pass --repo owner/name --pr 123 (add --sha --head-ref --base-ref to skip the GitHub API), or --source . for the local checkout",
    });
  }
  if (offlineFlags.length === 0) {
    return { kind: "github-api", repo: flags.repo, pr: flags.pr, apiBaseUrl: flags.githubApiUrl };
  }
  const missing = [
    flags.sha === undefined ? "--sha" : undefined,
    flags.headRef === undefined ? "--head-ref" : undefined,
    flags.baseRef === undefined ? "--base-ref" : undefined,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new CliError(
      "USAGE",
      `offline mode needs --sha, --head-ref and --base-ref together; missing ${missing.join(", ")}`,
      {
        fix: `add ${missing.join(" and ")}, or drop the offline flags to resolve the PR through the GitHub API`,
      },
    );
  }
  return {
    kind: "offline",
    repo: flags.repo,
    pr: flags.pr,
    sha: flags.sha!,
    headRef: flags.headRef!,
    baseRef: flags.baseRef!,
    ...(flags.cloneUrl ? { cloneUrl: flags.cloneUrl } : {}),
    ...(flags.headRepo ? { headRepo: flags.headRepo } : {}),
    ...(flags.headCloneUrl ? { headCloneUrl: flags.headCloneUrl } : {}),
  };
}

/** `600`, `90s`, `10m`, `1h30m` → seconds. */
export function parseDurationSeconds(value: string): number {
  const plain = /^\d+$/.test(value) ? Number(value) : undefined;
  if (plain !== undefined) {
    if (plain < 1) throw new InvalidArgumentError(`"${value}" must be at least 1 second.`);
    return plain;
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || value === "") {
    throw new InvalidArgumentError(`"${value}" is not a duration: use seconds (600) or 1h30m, 10m, 90s.`);
  }
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (seconds < 1) throw new InvalidArgumentError(`"${value}" must be at least 1 second.`);
  return seconds;
}
