// Who may approve a fork's run with the ok-to-test label: someone with write access or more to the
// repository, asked of GitHub with the service's token.
// https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
import type { CollaboratorCheck } from "./pull-request-handlers.ts";

export interface GitHubCollaboratorCheckOptions {
  token: string;
  /** REST API root. Default https://api.github.com. */
  apiUrl?: string;
}

const APPROVING_ROLES = new Set(["admin", "maintain", "write"]);

export function githubCollaboratorCheck(options: GitHubCollaboratorCheckOptions): CollaboratorCheck {
  const apiUrl = (options.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  return async (owner, repo, login) => {
    const url = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/collaborators/${encodeURIComponent(login)}/permission`;
    const response = await fetch(url, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${options.token}`,
        "x-github-api-version": "2022-11-28",
        "user-agent": "pr-pod-serve",
      },
      signal: AbortSignal.timeout(10_000),
    });
    // 404: not a collaborator (or the token cannot see the repository): not approved.
    if (response.status === 404) return false;
    if (!response.ok) throw new Error(`GitHub answered ${response.status} to the permission check of ${login}`);
    const body = (await response.json()) as { permission?: string; role_name?: string };
    return APPROVING_ROLES.has(body.role_name ?? "") || APPROVING_ROLES.has(body.permission ?? "");
  };
}
