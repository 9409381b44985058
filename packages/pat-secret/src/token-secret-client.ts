// The cluster side of the token Secret: create it, tie it to the Job once the Job exists, delete it.
// One object argument per call, as client-node 1.x wants. API errors are turned into PatSecretError
// with the status text redacted; client-node's ApiException is not kept as a cause because its message
// carries the whole response body and headers.
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from "@kubernetes/client-node";
import { PatSecretError } from "./pat-secret-error.ts";
import { redactor } from "./redact.ts";
import { jobOwnerReference, TOKEN_SECRET_KEY } from "./token-secret.ts";

export interface CreatedTokenSecret {
  name: string;
  namespace: string;
  uid?: string;
}

type Configuration = NonNullable<Parameters<CoreV1Api["createNamespacedSecret"]>[1]>;

/** client-node has no signal parameter; a request middleware attaches it. */
function withSignal(signal: AbortSignal | undefined, options: Configuration = {}): Configuration {
  if (!signal) return options;
  return {
    ...options,
    middleware: [
      ...(options.middleware ?? []),
      {
        pre: (request) => {
          request.setSignal(signal);
          return new Observable(Promise.resolve(request));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: "append",
  };
}

function statusMessage(error: ApiException<unknown>): string {
  const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body ?? "");
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === "string") return status.message;
  } catch {
    // not a Status object
  }
  return `HTTP ${error.code}`;
}

function toPatSecretError(
  error: unknown,
  action: string,
  where: { namespace: string; name: string },
  signal: AbortSignal | undefined,
  tokens: string[],
): PatSecretError {
  const redact = redactor(tokens);
  const target = `Secret ${where.namespace}/${where.name}`;
  if (signal?.aborted) return new PatSecretError("ABORTED", `${action} ${target} was aborted`);
  if (!(error instanceof ApiException)) {
    const message = error instanceof Error ? error.message : String(error);
    return new PatSecretError(
      "SECRET_REQUEST_FAILED",
      `${action} ${target} failed: ${redact(message)}; check that the cluster is reachable (kubectl cluster-info)`,
      {
        cause: error instanceof Error && !tokens.some((t) => t && String(error.stack).includes(t)) ? error : undefined,
      },
    );
  }
  const said = redact(statusMessage(error));
  switch (error.code) {
    case 409:
      return new PatSecretError(
        "SECRET_EXISTS",
        `${action} ${target}: it already exists (${said}); a run for this PR and commit is still going or was left behind: wait for it, or delete it with kubectl delete secret ${where.name} -n ${where.namespace}`,
      );
    case 404:
      if (action !== "creating") {
        return new PatSecretError(
          "SECRET_NOT_FOUND",
          `${action} ${target}: it does not exist (${said}); create it first with createTokenSecret`,
        );
      }
      return new PatSecretError(
        "NAMESPACE_NOT_FOUND",
        `${action} ${target}: not found (${said}); create the namespace (kubectl create namespace ${where.namespace}) or choose another with --namespace`,
      );
    case 401:
    case 403:
      return new PatSecretError(
        "FORBIDDEN",
        `${action} ${target} was refused (${said}); the kubeconfig's user needs create, patch and delete on secrets in ${where.namespace} (kubectl auth can-i create secrets -n ${where.namespace})`,
      );
    default:
      return new PatSecretError("SECRET_REQUEST_FAILED", `${action} ${target} failed with HTTP ${error.code}: ${said}`);
  }
}

function tokenOf(secret: V1Secret): string[] {
  const encoded = secret.data?.[TOKEN_SECRET_KEY];
  return encoded ? [Buffer.from(encoded, "base64").toString("utf8"), encoded] : [];
}

/** Creates the Secret built by buildTokenSecret. Returns its name, namespace and uid, never its data. */
export async function createTokenSecret(
  kubeConfig: KubeConfig,
  secret: V1Secret,
  options: { signal?: AbortSignal } = {},
): Promise<CreatedTokenSecret> {
  const namespace = secret.metadata?.namespace ?? "default";
  const name = secret.metadata?.name ?? "";
  const core = kubeConfig.makeApiClient(CoreV1Api);
  try {
    const created = await core.createNamespacedSecret({ namespace, body: secret }, withSignal(options.signal));
    return { name: created.metadata?.name ?? name, namespace, uid: created.metadata?.uid };
  } catch (error) {
    throw toPatSecretError(error, "creating", { namespace, name }, options.signal, tokenOf(secret));
  }
}

/**
 * Adds the Job as the Secret's owner (a JSON merge patch of metadata.ownerReferences; metadata stays
 * mutable on an immutable Secret), so Kubernetes' garbage collector deletes the Secret with the Job.
 */
export async function setTokenSecretOwner(
  kubeConfig: KubeConfig,
  options: { namespace: string; name: string; job: { name: string; uid: string }; signal?: AbortSignal },
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { namespace, name } = options;
  try {
    await core.patchNamespacedSecret(
      { namespace, name, body: { metadata: { ownerReferences: [jobOwnerReference(options.job)] } } },
      withSignal(options.signal, setHeaderOptions("Content-Type", PatchStrategy.MergePatch) as Configuration),
    );
  } catch (error) {
    throw toPatSecretError(error, "setting the owner of", { namespace, name }, options.signal, []);
  }
}

/** Deletes the Secret. Resolves true when it was deleted, false when it was already gone. */
export async function deleteTokenSecret(
  kubeConfig: KubeConfig,
  options: { namespace: string; name: string; signal?: AbortSignal },
): Promise<boolean> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { namespace, name } = options;
  try {
    await core.deleteNamespacedSecret({ namespace, name }, withSignal(options.signal));
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw toPatSecretError(error, "deleting", { namespace, name }, options.signal, []);
  }
}
