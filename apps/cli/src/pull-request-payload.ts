// A `pull_request` webhook payload shaped like the ones GitHub sends
// (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request), made from a
// PullRequestContext, for `pr-pod simulate --repo --pr`. Pure. Only fields pr-pod or a typical
// consumer reads are filled; ids are derived from the names so the same PR gives the same payload.
import { createHash } from "node:crypto";
import type { PullRequestContext } from "@pr-pod/pr-context";

function stableId(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

function repository(fullName: string, cloneUrl: string, htmlBase: string, fork: boolean) {
  const [owner = "", name = ""] = fullName.split("/");
  return {
    id: stableId(fullName),
    node_id: `R_${stableId(fullName).toString(36)}`,
    name,
    full_name: fullName,
    private: false,
    owner: { login: owner, id: stableId(owner), type: "User" },
    html_url: `${htmlBase}/${fullName}`,
    fork,
    url: `https://api.github.com/repos/${fullName}`,
    clone_url: cloneUrl,
    default_branch: "main",
  };
}

function fullNameFromCloneUrl(cloneUrl: string, fallback: string): string {
  const match = /\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(cloneUrl);
  return match ? `${match[1]}/${match[2]}` : fallback;
}

export function pullRequestPayload(
  context: PullRequestContext,
  options: { action: string; baseSha: string },
): Record<string, unknown> {
  const baseFullName = `${context.owner}/${context.repo}`;
  const headFullName = context.isFork ? fullNameFromCloneUrl(context.headCloneUrl, baseFullName) : baseFullName;
  const htmlBase = "https://github.com";
  const author = context.author || "octocat";
  const base = repository(baseFullName, context.baseCloneUrl, htmlBase, false);
  const head = context.isFork ? repository(headFullName, context.headCloneUrl, htmlBase, true) : base;
  const htmlUrl = context.htmlUrl ?? `${htmlBase}/${baseFullName}/pull/${context.number}`;
  return {
    action: options.action,
    number: context.number,
    pull_request: {
      url: `https://api.github.com/repos/${baseFullName}/pulls/${context.number}`,
      id: stableId(`${baseFullName}#${context.number}`),
      html_url: htmlUrl,
      number: context.number,
      state: context.state,
      locked: false,
      title: context.title || `PR #${context.number}`,
      user: { login: author, id: stableId(author), type: "User" },
      body: null,
      draft: context.draft,
      merged: false,
      mergeable: null,
      merge_commit_sha: null,
      head: {
        label: `${head.owner.login}:${context.headRef}`,
        ref: context.headRef,
        sha: context.headSha,
        user: head.owner,
        repo: head,
      },
      base: {
        label: `${context.owner}:${context.baseRef}`,
        ref: context.baseRef,
        sha: options.baseSha,
        user: base.owner,
        repo: base,
      },
    },
    repository: base,
    sender: { login: author, id: stableId(author), type: "User" },
  };
}
