// A realistic PR context for tests.
import type { PullRequestContext } from "@pr-pod/pr-context";

export function sampleContext(overrides: Partial<PullRequestContext> = {}): PullRequestContext {
  return {
    owner: "octo-org",
    repo: "hello-world",
    number: 42,
    title: "Add login page",
    author: "monalisa",
    headSha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    headRef: "feature/login",
    headCloneUrl: "https://github.com/octo-org/hello-world.git",
    baseRef: "main",
    baseSha: "9049f1265b7d61be4a8904a9a27120d2064dab3b",
    baseCloneUrl: "https://github.com/octo-org/hello-world.git",
    mergeRef: "refs/pull/42/merge",
    isFork: false,
    draft: false,
    state: "open",
    source: "webhook",
    ...overrides,
  };
}
