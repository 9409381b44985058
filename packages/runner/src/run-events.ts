// The contract between the runner and its front ends (CLI, action, library users):
// what a run takes, the events it emits while it goes, and what it ends with.
// The apps render these events their own way; they never talk to the cluster themselves.
import type { KubeConfig } from "@kubernetes/client-node";
import type { BuiltImage } from "@pr-pod/file-verifier";
import type { BuilderOptions, LocalChanges, RegistryOptions } from "@pr-pod/k8s-job-builder";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { GitHubReportSettings } from "@pr-pod/pr-feedback";
import type { PreviewStageEvent, PreviewStagesResult } from "./preview-stages.ts";

/**
 * Where a run's verdict goes besides its events. `github: true` (or settings) reports it on the pull
 * request through @pr-pod/pr-feedback: commit status or check run, and optionally a PR comment;
 * `github: false` turns off what the config file turned on.
 */
export interface RunReportOptions {
  github?: boolean | GitHubReportSettings;
}

/** buildx's Kubernetes driver options (`--driver-opt`), as @pr-pod/k8s-job-builder takes them. */
export type BuildxOptions = BuilderOptions;

/** Unpushed commits (bundle) and uncommitted changes (diff) on top of the pushed head, with the local HEAD. */
export type { LocalChanges };

/** How the run learns which pull request it builds. */
export type PullRequestSource =
  /** Already resolved (the action passes the Actions context through pr-context first). */
  | { kind: "context"; context: PullRequestContext }
  /** `--repo owner/name --pr 123`: resolved through the GitHub REST API. */
  | { kind: "github-api"; repo: string; pr: number; apiBaseUrl?: string }
  /**
   * `--repo --pr --sha --head-ref --base-ref`: no API call at all. `cloneUrl` is the repository's; a
   * fork is named by `headRepo` (same server) or `headCloneUrl`.
   */
  | {
      kind: "offline";
      repo: string;
      pr: number;
      sha: string;
      headRef: string;
      baseRef: string;
      cloneUrl?: string;
      headRepo?: string;
      headCloneUrl?: string;
    }
  /** A webhook delivery: the `pull_request` payload (and its headers when known). */
  | { kind: "webhook"; payload: unknown; headers?: Record<string, string | undefined> };

export interface RunPrPodOptions {
  /** The cluster to run in (loaded by the caller: kubeconfig file, context, in-cluster...). */
  kubeConfig: KubeConfig;
  /**
   * Deploy and test a preview after a successful build, when the config file has a `preview` section:
   * the chart paths are read from `checkoutDir` (the repository checkout on this machine) or, without
   * one, fetched with git (`gitPath`, default `git`) at the commit the pod built into a temporary folder
   * removed after the deploy; helm is `helmPath`; `keep` leaves the preview up until its ttlHours pass
   * (`ttlHours` here wins over the config file's `preview.ttlHours`). `fromRepository`: with no
   * `preview` section of its own (noConfigFile, the webhook service), the run takes the section from
   * the pull request's own `pr-pod.config.{json,yaml,yml}` at the commit the pod built (fetched with
   * git like the charts; only `preview` is read from it); a commit without one deploys nothing.
   */
  preview?: {
    checkoutDir?: string;
    gitPath?: string;
    helmPath: string;
    keep?: boolean;
    ttlHours?: number;
    fromRepository?: boolean;
  };
  pullRequest: PullRequestSource;
  /** Namespace for every object of the run. Default "default". */
  namespace?: string;
  /** Create the namespace when it does not exist (otherwise a clear preflight error). */
  createNamespace?: boolean;
  /** The GitHub token; when absent, loaded by pat-secret (GITHUB_PAT, GITHUB_TOKEN, env file). */
  token?: string;
  /** Env file searched for the token when none is given. Default `web/.env`. */
  envFile?: string;
  /** Forked PRs get no token unless this is true. */
  allowForkToken?: boolean;
  /** Container image of the pod. Default `docker:24-git`. */
  image?: string;
  /**
   * `head` clones the PR head; `merge` merges it onto the base branch's current tip, like GitHub's merge
   * ref and Prow's clonerefs. Default `head`.
   */
  checkout?: "head" | "merge";
  /** With checkout merge: merge onto the PR's known base SHA (a webhook's base.sha) instead of the branch's tip. */
  pinBaseSha?: boolean;
  /** Build Dockerfiles with buildx's Kubernetes driver. Default true. */
  build?: boolean;
  /** Use `buildx bake` when a bake file exists. Default false. */
  bake?: boolean;
  /** Tag and push every built image to this registry (merged over the config file's `registry`). */
  registry?: Partial<RegistryOptions>;
  /** Files that must exist in the clone (default: package.json, README.md, Dockerfile). */
  verify?: string[];
  /** Whole-run deadline in seconds (the Job's activeDeadlineSeconds too). */
  timeoutSeconds?: number;
  /** Leave the run's objects in the cluster. Default false. */
  keep?: boolean;
  /** `pr-pod.config.{json,yaml}` path; otherwise looked up in the cwd. */
  configFile?: string;
  /** Aborting deletes everything the run created, then the run ends with status "aborted". */
  signal?: AbortSignal;
  /** Folders searched for `pr-pod.config.{json,yaml}` when configFile is not given. Default: the cwd. */
  configSearchDirs?: string[];
  /** Skip the config file lookup entirely (the options are all there is). */
  noConfigFile?: boolean;
  /** buildx Kubernetes driver options (replicas, requests, limits, rootless...); merged over the config file's. */
  buildx?: BuildxOptions;
  /** The pod's container resources. */
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** How long the pod may wait for a node before the run fails. Default 120. */
  unschedulableGraceSeconds?: number;
  /**
   * `pr-pod run --source`: what only the local checkout has, applied in the pod after cloning the pushed
   * head (the pull request's headSha): unpushed commits as a git bundle (`HEAD ^<pushed head>`) and
   * uncommitted changes as a `git diff --binary`, with the local HEAD. They travel in a ConfigMap owned by
   * the Job (1 MiB at most, or INVALID_INPUT naming the size). Checkout head only.
   */
  localChanges?: LocalChanges;
  /**
   * Extra labels and annotations on the run's Job (merged over pr-pod's own, which win): the webhook
   * service marks each Job with its delivery id and instance, so it can find its runs in the cluster.
   */
  jobMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Report the verdict on the pull request (off unless set here or in the config file's `report`). */
  report?: RunReportOptions;
  /** Retries for every API call (429/5xx/timeouts). Default 6 attempts from 200 ms, at most 10 s apart. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number; attemptTimeoutMs?: number };
}

export type RunEvent =
  | { type: "resolved-context"; context: PullRequestContext }
  | { type: "token-loaded"; source: string }
  | { type: "preflight"; namespace: string; checks: string[] }
  /** No registry was given and the cluster announces its own (KEP-1755): images are pushed there, plain HTTP. */
  | { type: "local-registry"; host: string; source: string }
  | { type: "created"; kind: string; name: string; namespace: string }
  | { type: "pod-scheduled"; podName: string; nodeName?: string }
  | { type: "log-line"; line: string; timestamp?: string }
  | { type: "report"; report: unknown }
  | { type: "finished"; result: RunResult }
  | { type: "cleaned-up"; deleted: Array<{ kind: string; name: string }> }
  /** A running Job of the same PR and SHA was found and is followed instead of creating a new one. */
  | { type: "reused"; kind: string; name: string; namespace: string }
  /** The preview stages after the build: deploy, test, teardown (started, finished, and their lines). */
  | { type: "preview"; event: PreviewStageEvent }
  /** Something went wrong that does not end the run (log not followable, cleanup failed...). */
  | { type: "warning"; message: string };

export type RunStatus = "succeeded" | "failed" | "aborted";

export interface RunResult {
  status: RunStatus;
  /** Why: the Job condition reason or the pod's unfixable cause (ErrImagePull, DeadlineExceeded...). */
  reason: string;
  /** Human sentence, redacted. */
  message: string;
  /** The pod container's exit code, when it ran. */
  exitCode?: number;
  namespace: string;
  jobName: string;
  context: PullRequestContext;
  /** The pod's parsed report (file-verifier), when one came back. */
  report?: unknown;
  /** The images the pod built (and pushed, with a registry): target, context, Dockerfile, image, tag, digest, ref. */
  images?: BuiltImage[];
  durationsMs: { total: number; pod?: number };
  /** The preview's deploy, test and teardown stages, when the run deployed one. */
  preview?: PreviewStagesResult;
}

/** A run in progress: iterate its events, or await its result (or both). */
export interface PrPodRun extends AsyncIterable<RunEvent> {
  result: Promise<RunResult>;
}
