export type {
  CommitOptions,
  GitRepoBuilder,
  RepoFileContent,
  RepoFiles,
} from "./git-repo-builder.ts";
export type { GitRequestLogEntry, TestGitServer, TestGitServerOptions } from "./test-git-server.ts";
export { runGit, startTestGitServer } from "./test-git-server.ts";
