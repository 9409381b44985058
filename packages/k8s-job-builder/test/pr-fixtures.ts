// Pull requests on a test git server, and the env the pod script gets for them (prPodEnv plus pr-pod's own).
import { type PullRequestContext, prPodEnv } from "@pr-pod/pr-context";
import type { TestGitServer } from "@pr-pod/test-git-server";

export const SEED_FILES = { "package.json": "{}\n", "README.md": "# app\n", Dockerfile: "FROM scratch\n" };

export function createPrFixtures(server: () => TestGitServer, token: string) {
  const contextFor = (name: string, headSha: string, extra: Partial<PullRequestContext> = {}): PullRequestContext => ({
    owner: "acme",
    repo: name,
    number: 7,
    title: "A change",
    author: "dev",
    headSha,
    headRef: "feature",
    headCloneUrl: server().repoUrl(`acme/${name}`),
    baseRef: "main",
    baseCloneUrl: server().repoUrl(`acme/${name}`),
    mergeRef: "refs/pull/7/merge",
    isFork: false,
    draft: false,
    state: "open",
    source: "offline",
    ...extra,
  });

  const envFor = (context: PullRequestContext, extra: Record<string, string> = {}): Record<string, string> => {
    const env: Record<string, string> = { PR_POD_GIT_TOKEN: token, PR_POD_CHECKOUT: "head", PR_POD_BUILD: "false" };
    for (const { name, value } of prPodEnv(context)) env[name] = value;
    return { ...env, ...extra };
  };

  /** A repo with main (seed files) and a PR branch `feature` with one more commit, PR #7 pointing at it. */
  const prRepo = async (name: string, head: Record<string, string | null> = { "feature.txt": "new\n" }) => {
    let headSha = "";
    let baseSha = "";
    const repo = await server().createRepo(`acme/${name}`, async (r) => {
      baseSha = await r.commit(SEED_FILES, { message: "seed" });
      headSha = await r.commit(head, { branch: "feature", from: "main", message: "the PR" });
      await r.pullRequest(7, headSha);
    });
    return { repo, headSha, baseSha };
  };

  return { contextFor, envFor, prRepo };
}
