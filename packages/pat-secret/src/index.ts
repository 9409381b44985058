export type { StreamRedactor } from "./redact.ts";
export { createRedactingTransform, createStreamRedactor, REDACTED, redactor, tokenForms } from "./redact.ts";
export type { BuildTokenSecretOptions } from "./token-secret.ts";
export { buildTokenSecret, jobOwnerReference, TOKEN_SECRET_KEY, tokenSecretName } from "./token-secret.ts";
