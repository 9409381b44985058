// The `pr-pod cleanup ...` command line that finishes what an interrupted run left, with the same
// cluster flags the user gave, so it can be pasted as is.
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { GlobalOptions } from "./command-environment.ts";

function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

export function cleanupCommandLine(
  globals: GlobalOptions,
  pullRequest: { repo?: string; pr?: number } | PullRequestContext | undefined,
): string {
  const parts = ["pr-pod", "cleanup"];
  if (pullRequest && "owner" in pullRequest) {
    parts.push("--repo", `${pullRequest.owner}/${pullRequest.repo}`, "--pr", String(pullRequest.number));
  } else if (pullRequest?.repo && pullRequest.pr !== undefined) {
    parts.push("--repo", pullRequest.repo, "--pr", String(pullRequest.pr));
  } else {
    parts.push("--all");
  }
  if (globals.namespace) parts.push("--namespace", globals.namespace);
  if (globals.kubeconfig) parts.push("--kubeconfig", globals.kubeconfig);
  if (globals.context) parts.push("--context", globals.context);
  return parts.map(quote).join(" ");
}
