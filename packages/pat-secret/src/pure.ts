// @pr-pod/pat-secret/pure: everything in this package that never talks to a cluster (loading the token,
// redaction, building the Secret), without the Secret client and so without @kubernetes/client-node.
// `pr-pod render`, `--help` and anything that only needs the token or its redaction import this.
export type {
  GitHubTokenKind,
  GitHubTokenSource,
  LoadedGitHubToken,
  LoadGitHubTokenOptions,
} from "./load-github-token.ts";
export { DEFAULT_ENV_FILE, findRepositoryRoot, gitHubTokenKind, loadGitHubToken } from "./load-github-token.ts";
export type { PatSecretErrorCode } from "./pat-secret-error.ts";
export { PatSecretError } from "./pat-secret-error.ts";
export type { StreamRedactor } from "./redact.ts";
export { createRedactingTransform, createStreamRedactor, REDACTED, redactor, tokenForms } from "./redact.ts";
export type { BuildTokenSecretOptions } from "./token-secret.ts";
export { buildTokenSecret, jobOwnerReference, TOKEN_SECRET_KEY, tokenSecretName } from "./token-secret.ts";
