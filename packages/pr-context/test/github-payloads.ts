// Real-shaped GitHub objects, trimmed from the documented examples:
// https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request and the pull_request webhook event.

export const HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
export const BASE_SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b";

function repository(owner: string, name: string, id: number) {
  return {
    id,
    node_id: "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    name,
    full_name: `${owner}/${name}`,
    private: false,
    owner: { login: owner, id: id + 1000, type: "User", site_admin: false },
    html_url: `https://github.com/${owner}/${name}`,
    fork: owner !== "octo-org",
    url: `https://api.github.com/repos/${owner}/${name}`,
    clone_url: `https://github.com/${owner}/${name}.git`,
    git_url: `git://github.com/${owner}/${name}.git`,
    ssh_url: `git@github.com:${owner}/${name}.git`,
    default_branch: "main",
  };
}

export interface PullRequestShape {
  number?: number;
  state?: "open" | "closed";
  merged?: boolean;
  fromFork?: boolean;
  draft?: boolean;
  title?: string;
  headRef?: string;
  headSha?: string;
}

export function pullRequestObject(shape: PullRequestShape = {}) {
  const number = shape.number ?? 1347;
  const base = repository("octo-org", "hello-world", 1296269);
  const head = shape.fromFork ? repository("forker", "hello-world", 2296269) : base;
  const headRef = shape.headRef ?? "new-topic";
  return {
    url: `https://api.github.com/repos/octo-org/hello-world/pulls/${number}`,
    id: 1,
    node_id: "MDExOlB1bGxSZXF1ZXN0MQ==",
    html_url: `https://github.com/octo-org/hello-world/pull/${number}`,
    diff_url: `https://github.com/octo-org/hello-world/pull/${number}.diff`,
    number,
    state: shape.state ?? "open",
    locked: false,
    title: shape.title ?? "Amazing new feature",
    user: { login: "octocat", id: 1, type: "User", site_admin: false },
    body: "Please pull these awesome changes in!",
    created_at: "2011-01-26T19:01:12Z",
    updated_at: "2011-01-26T19:01:12Z",
    closed_at: shape.state === "closed" ? "2011-01-26T19:01:12Z" : null,
    merged_at: shape.merged ? "2011-01-26T19:01:12Z" : null,
    merge_commit_sha: "e5bd3914e2e596debea16f433f57875b5b90bcd6",
    draft: shape.draft ?? false,
    head: {
      label: `${head.owner.login}:${headRef}`,
      ref: headRef,
      sha: shape.headSha ?? HEAD_SHA,
      user: head.owner,
      repo: head,
    },
    base: { label: "octo-org:main", ref: "main", sha: BASE_SHA, user: base.owner, repo: base },
    author_association: "OWNER",
    merged: shape.merged ?? false,
    mergeable: true,
    comments: 10,
    commits: 3,
    additions: 100,
    deletions: 3,
    changed_files: 5,
  };
}

export function pullRequestEvent(action: string, shape: PullRequestShape = {}) {
  const pullRequest = pullRequestObject(shape);
  return {
    action,
    number: pullRequest.number,
    pull_request: pullRequest,
    repository: pullRequest.base.repo,
    sender: { login: "octocat", id: 1, type: "User" },
  };
}
