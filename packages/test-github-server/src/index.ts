export type { DescriptionProblem } from "./github-description.ts";
export type { StoredCheckRun, StoredComment, StoredPullRequest, StoredStatus } from "./github-objects.ts";
export type {
  AddAppOptions,
  FaultMatch,
  PermissionLevel,
  RecordedCall,
  ServedOperation,
  StartTestGitHubServerOptions,
  TestGitHubApp,
  TokenGrant,
  TokenPermissions,
} from "./test-github-server.ts";
export { SERVED_OPERATIONS, startTestGitHubServer, TestGitHubServer } from "./test-github-server.ts";
