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
export type { CreatedTokenSecret } from "./token-secret-client.ts";
export { createTokenSecret, deleteTokenSecret, setTokenSecretOwner } from "./token-secret-client.ts";
