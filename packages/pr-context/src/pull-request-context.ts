// The one description of "which pull request" every other package consumes.
// Field meanings follow GitHub's pull_request object:
// https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request

/** Where a PullRequestContext came from. */
export type PullRequestContextSource = "webhook" | "actions" | "github-api" | "offline" | "local-checkout";

export interface PullRequestContext {
  /** Owner of the base repository (the one the PR targets). */
  owner: string;
  /** Name of the base repository. */
  repo: string;
  /** PR number, 1 or more; 0 (LOCAL_RUN_NUMBER) for a `--source` run that belongs to no pull request. */
  number: number;
  title: string;
  /** Login of the PR's author. */
  author: string;
  /** Full 40-hex SHA of the PR's head commit. */
  headSha: string;
  /** Branch name on the head repository (no refs/heads/ prefix). */
  headRef: string;
  /** HTTPS clone URL of the head repository (a fork's own URL for fork PRs). */
  headCloneUrl: string;
  /** Target branch (no refs/heads/ prefix). */
  baseRef: string;
  /** SHA of the target branch when known (offline runs may not know it). */
  baseSha?: string;
  /** HTTPS clone URL of the base repository. */
  baseCloneUrl: string;
  /** `refs/pull/N/merge`. */
  mergeRef: string;
  /** True when the head repository differs from the base repository. */
  isFork: boolean;
  draft: boolean;
  /** State as GitHub reports it; offline/local sources say "open". */
  state: "open" | "closed";
  htmlUrl?: string;
  /** Webhook/Actions event action (opened, synchronize, reopened, ...), when there was one. */
  action?: string;
  source: PullRequestContextSource;
  /** Local checkouts only: the work tree has uncommitted changes, which the pod's clone will not have. */
  workTreeDirty?: boolean;
}
