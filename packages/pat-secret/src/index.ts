// @pr-pod/pat-secret: the pure part (./pure.ts, also the package's "./pure" export) plus the client
// that creates, owns and deletes the Secret in the cluster.
export * from "./pure.ts";
export type { CreatedTokenSecret } from "./token-secret-client.ts";
export { createTokenSecret, deleteTokenSecret, setTokenSecretOwner } from "./token-secret-client.ts";
