// Builds the objects GitHub answers with (repository, pull request, status, check run, issue comment,
// installation token), starting from the description's own examples and filling in the state the
// test server keeps. The examples lag their schemas in places (a team without `type`, a repository
// without `has_discussions`); those gaps are filled here so the answers pass the description.
import { descriptionExample } from "./github-description.ts";

export interface StoredRepository {
  owner: string;
  name: string;
  id: number;
  private: boolean;
  defaultBranch: string;
}

export interface StoredPullRequest {
  repo: string;
  number: number;
  id: number;
  title: string;
  state: "open" | "closed";
  headSha: string;
  headRef: string;
  baseRef: string;
  baseSha: string;
  /** The head repository's "owner/name" (a fork when it differs from repo). */
  headRepo: string;
  user: string;
  merged: boolean;
}

export interface StoredStatus {
  id: number;
  repo: string;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
  creator: string;
}

export interface StoredCheckRun {
  id: number;
  repo: string;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
  appSlug: string;
}

export interface StoredComment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

type Json = Record<string, unknown>;

function userObject(login: string, apiUrl: string, webUrl: string): Json {
  const user = descriptionExample<Json>("simple-user");
  Object.assign(user, {
    login,
    url: `${apiUrl}/users/${encodeURIComponent(login)}`,
    html_url: `${webUrl}/${encodeURIComponent(login)}`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
  });
  return user;
}

export function repositoryObject(repo: StoredRepository, apiUrl: string, webUrl: string): Json {
  const full = descriptionExample<Json>("full-repository");
  const slug = `${repo.owner}/${repo.name}`;
  Object.assign(full, {
    id: repo.id,
    name: repo.name,
    full_name: slug,
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    default_branch: repo.defaultBranch,
    owner: userObject(repo.owner, apiUrl, webUrl),
    url: `${apiUrl}/repos/${slug}`,
    html_url: `${webUrl}/${slug}`,
    clone_url: `${webUrl}/${slug}.git`,
    has_discussions: false,
  });
  return full;
}

/** The smaller repository object inside a pull request's head and base. */
function prRepository(slug: string, id: number, apiUrl: string, webUrl: string): Json {
  const repo = descriptionExample<Json>("pull-request").head as Json;
  const copy = structuredClone(repo.repo) as Json;
  const [owner = "", name = ""] = slug.split("/");
  Object.assign(copy, {
    id,
    name,
    full_name: slug,
    owner: userObject(owner, apiUrl, webUrl),
    url: `${apiUrl}/repos/${slug}`,
    html_url: `${webUrl}/${slug}`,
    clone_url: `${webUrl}/${slug}.git`,
  });
  return copy;
}

export function pullRequestObject(
  pr: StoredPullRequest,
  repoId: (slug: string) => number,
  apiUrl: string,
  webUrl: string,
  simple = false,
): Json {
  const object = simple
    ? descriptionExample<Json[]>("pull-request-simple-items")[0]!
    : descriptionExample<Json>("pull-request");
  const headOwner = pr.headRepo.split("/")[0]!;
  const baseOwner = pr.repo.split("/")[0]!;
  Object.assign(object, {
    id: pr.id,
    number: pr.number,
    title: pr.title,
    state: pr.state,
    url: `${apiUrl}/repos/${pr.repo}/pulls/${pr.number}`,
    html_url: `${webUrl}/${pr.repo}/pull/${pr.number}`,
    user: userObject(pr.user, apiUrl, webUrl),
    requested_teams: [],
    merged_at: pr.merged ? "2026-01-01T00:00:00Z" : null,
    closed_at: pr.state === "closed" ? "2026-01-01T00:00:00Z" : null,
    ...("merged" in object ? { merged: pr.merged } : {}),
    head: {
      label: `${headOwner}:${pr.headRef}`,
      ref: pr.headRef,
      sha: pr.headSha,
      user: userObject(headOwner, apiUrl, webUrl),
      repo: prRepository(pr.headRepo, repoId(pr.headRepo), apiUrl, webUrl),
    },
    base: {
      label: `${baseOwner}:${pr.baseRef}`,
      ref: pr.baseRef,
      sha: pr.baseSha,
      user: userObject(baseOwner, apiUrl, webUrl),
      repo: prRepository(pr.repo, repoId(pr.repo), apiUrl, webUrl),
    },
  });
  return object;
}

export function statusObject(status: StoredStatus, apiUrl: string, webUrl: string): Json {
  const object = descriptionExample<Json>("status");
  Object.assign(object, {
    id: status.id,
    node_id: Buffer.from(`Status${status.id}`).toString("base64"),
    url: `${apiUrl}/repos/${status.repo}/statuses/${status.sha}`,
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: userObject(status.creator, apiUrl, webUrl),
  });
  return object;
}

export function checkRunObject(run: StoredCheckRun, apiUrl: string, webUrl: string): Json {
  const object = descriptionExample<Json>("check-run");
  const app = object.app as Json;
  Object.assign(app, { slug: run.appSlug, name: run.appSlug });
  Object.assign(object, {
    id: run.id,
    head_sha: run.headSha,
    node_id: Buffer.from(`CheckRun${run.id}`).toString("base64"),
    external_id: run.externalId ?? "",
    url: `${apiUrl}/repos/${run.repo}/check-runs/${run.id}`,
    html_url: `${webUrl}/${run.repo}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${webUrl}/${run.repo}/runs/${run.id}`,
    name: run.name,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${apiUrl}/repos/${run.repo}/check-runs/${run.id}/annotations`,
    },
    pull_requests: [],
  });
  return object;
}

export function commentObject(comment: StoredComment, apiUrl: string, webUrl: string): Json {
  const object = descriptionExample<Json>("issue-comment");
  Object.assign(object, {
    id: comment.id,
    node_id: Buffer.from(`IssueComment${comment.id}`).toString("base64"),
    url: `${apiUrl}/repos/${comment.repo}/issues/comments/${comment.id}`,
    html_url: `${webUrl}/${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${apiUrl}/repos/${comment.repo}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userObject(comment.user, apiUrl, webUrl),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  });
  return object;
}

export function installationTokenObject(
  token: string,
  expiresAt: string,
  permissions: Record<string, string>,
  repositories: "all" | "selected",
): Json {
  return { token, expires_at: expiresAt, permissions, repository_selection: repositories };
}

export function rateLimitObject(core: { limit: number; remaining: number; reset: number; used: number }): Json {
  const object = descriptionExample<Json>("rate-limit-overview");
  (object.resources as Json).core = core;
  object.rate = core;
  return object;
}
