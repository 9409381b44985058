// The service's only memory, kept in the cluster: one small ConfigMap per accepted delivery, named
// from its X-GitHub-Delivery id. Creating it is the claim (AlreadyExists = this delivery was seen,
// by this replica or another, before or after a restart); its labels say what the delivery asked
// for, which PR and SHA, which replica holds it and how far it got; its data holds the PR context,
// so a restarted replica can resume what it had accepted. A claim outlives its run's Job (the Job is
// deleted when the run ends), which is what keeps a late redelivery from starting the run again;
// claims are swept after GitHub's redelivery window (3 days).
// https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks
import { createHash } from "node:crypto";
import {
  type ConfigurationOptions,
  CoreV1Api,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { type PullRequestContext, toLabelValue } from "@pr-pod/pr-context";
import { httpStatusOf } from "@pr-pod/runner";

export const LEDGER_LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  component: "app.kubernetes.io/component",
  owner: "pr-pod.dev/owner",
  repo: "pr-pod.dev/repo",
  pr: "pr-pod.dev/pr",
  headSha: "pr-pod.dev/head-sha",
  kind: "pr-pod.dev/delivery-kind",
  state: "pr-pod.dev/delivery-state",
  instance: "pr-pod.dev/serve-instance",
} as const;
export const DELIVERY_ANNOTATION = "pr-pod.dev/delivery";
const ACCEPTED_AT_ANNOTATION = "pr-pod.dev/accepted-at-ms";
const OUTCOME_ANNOTATION = "pr-pod.dev/outcome";
/** Not "pr-pod": `pr-pod cleanup` and a closed PR's cleanup must leave the claims in place. */
export const LEDGER_MANAGED_BY = "pr-pod-serve";
/** GitHub lets a delivery be redelivered for 3 days. */
export const DEFAULT_CLAIM_RETENTION_MS = 3 * 24 * 3600 * 1000;

export type DeliveryKind = "run" | "close";
export type DeliveryState = "queued" | "running" | "done";

export interface DeliveryClaim {
  deliveryId: string;
  kind: DeliveryKind;
  owner: string;
  repo: string;
  number: number;
  /** The head SHA to build (run claims). */
  headSha?: string;
  context?: PullRequestContext;
  /** The replica that holds it. */
  instance: string;
  /** Order of deliveries of one PR across replicas (ms since epoch on the accepting replica). */
  acceptedAtMs: number;
  state: DeliveryState;
  /** The ConfigMap's name. */
  name: string;
}

export function claimName(deliveryId: string): string {
  return `pr-pod-delivery-${createHash("sha256").update(deliveryId).digest("hex").slice(0, 24)}`;
}

export interface DeliveryLedgerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Per-request deadline. Default 10 s. */
  requestTimeoutMs?: number;
}

export class DeliveryLedger {
  readonly namespace: string;
  readonly #core: CoreV1Api;
  readonly #timeoutMs: number;

  constructor(options: DeliveryLedgerOptions) {
    this.namespace = options.namespace;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** "claimed" when this call made the claim, "duplicate" when the delivery was claimed before. */
  async claim(claim: Omit<DeliveryClaim, "name">, timeoutMs = this.#timeoutMs): Promise<"claimed" | "duplicate"> {
    try {
      await this.#core.createNamespacedConfigMap(
        { namespace: this.namespace, body: toConfigMap(claim, this.namespace) },
        abortAfter(timeoutMs),
      );
      return "claimed";
    } catch (error) {
      if (httpStatusOf(error) === 409) return "duplicate";
      throw error;
    }
  }

  async setState(
    name: string,
    state: DeliveryState,
    extra: { outcome?: string; instance?: string } = {},
  ): Promise<void> {
    const labels: Record<string, string> = { [LEDGER_LABELS.state]: state };
    if (extra.instance !== undefined) labels[LEDGER_LABELS.instance] = toLabelValue(extra.instance);
    const metadata: Record<string, unknown> = { labels };
    if (extra.outcome !== undefined) metadata["annotations"] = { [OUTCOME_ANNOTATION]: extra.outcome };
    await this.#core.patchNamespacedConfigMap(
      { namespace: this.namespace, name, body: { metadata } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch, abortAfter(this.#timeoutMs)),
    );
  }

  /** Claims of one PR, oldest first. */
  async claimsOf(pr: { owner: string; repo: string; number: number }): Promise<DeliveryClaim[]> {
    return this.#list(
      [
        `${LEDGER_LABELS.owner}=${toLabelValue(pr.owner)}`,
        `${LEDGER_LABELS.repo}=${toLabelValue(pr.repo)}`,
        `${LEDGER_LABELS.pr}=${toLabelValue(String(pr.number))}`,
      ].join(","),
    );
  }

  /**
   * A later delivery of the same PR that makes this one pointless: a run of another SHA or a close.
   * Seen from any replica, since the claims are in the cluster.
   */
  async supersededBy(claim: DeliveryClaim): Promise<DeliveryClaim | undefined> {
    const claims = await this.claimsOf(claim);
    return claims.find((other) => supersedes(other, claim));
  }

  /** What `instance` accepted and did not finish (to resume after a restart). */
  async unfinished(instance: string): Promise<DeliveryClaim[]> {
    return this.#list(`${LEDGER_LABELS.instance}=${toLabelValue(instance)},${LEDGER_LABELS.state}!=done`);
  }

  /** What other replicas accepted and did not finish (to take over those of a replica gone for good). */
  async unfinishedOfOthers(instance: string): Promise<DeliveryClaim[]> {
    return this.#list(`${LEDGER_LABELS.instance}!=${toLabelValue(instance)},${LEDGER_LABELS.state}!=done`);
  }

  /**
   * Moves an unfinished claim from replica `from` to replica `to`: a read, then a replace with the
   * read's resourceVersion, so when two replicas take over at once one wins and the other gets a
   * 409 Conflict (false). False too when the claim moved, finished or went meanwhile.
   * https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
   */
  async takeOver(name: string, from: string, to: string): Promise<DeliveryClaim | undefined> {
    let configMap: V1ConfigMap;
    try {
      configMap = await this.#core.readNamespacedConfigMap(
        { namespace: this.namespace, name },
        abortAfter(this.#timeoutMs),
      );
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
    const labels = configMap.metadata?.labels ?? {};
    if (labels[LEDGER_LABELS.instance] !== toLabelValue(from) || labels[LEDGER_LABELS.state] === "done")
      return undefined;
    labels[LEDGER_LABELS.instance] = toLabelValue(to);
    try {
      const replaced = await this.#core.replaceNamespacedConfigMap(
        { namespace: this.namespace, name, body: { ...configMap, metadata: { ...configMap.metadata, labels } } },
        abortAfter(this.#timeoutMs),
      );
      return claimFromConfigMap(replaced);
    } catch (error) {
      if (httpStatusOf(error) === 409 || httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Deletes claims accepted more than `retentionMs` ago; returns how many. */
  async sweep(retentionMs = DEFAULT_CLAIM_RETENTION_MS, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const claim of await this.#list("")) {
      if (now - claim.acceptedAtMs <= retentionMs) continue;
      try {
        await this.#core.deleteNamespacedConfigMap(
          { namespace: this.namespace, name: claim.name },
          abortAfter(this.#timeoutMs),
        );
        removed++;
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
    }
    return removed;
  }

  async #list(extraSelector: string): Promise<DeliveryClaim[]> {
    const labelSelector = [CLAIM_SELECTOR, extraSelector].filter(Boolean).join(",");
    const list = await this.#core.listNamespacedConfigMap(
      { namespace: this.namespace, labelSelector },
      abortAfter(this.#timeoutMs),
    );
    return list.items
      .map(claimFromConfigMap)
      .filter((claim): claim is DeliveryClaim => claim !== undefined)
      .sort((a, b) => a.acceptedAtMs - b.acceptedAtMs);
  }
}

function toConfigMap(claim: Omit<DeliveryClaim, "name">, namespace: string): V1ConfigMap {
  const labels: Record<string, string> = {
    [LEDGER_LABELS.managedBy]: LEDGER_MANAGED_BY,
    [LEDGER_LABELS.component]: "delivery",
    [LEDGER_LABELS.owner]: toLabelValue(claim.owner),
    [LEDGER_LABELS.repo]: toLabelValue(claim.repo),
    [LEDGER_LABELS.pr]: toLabelValue(String(claim.number)),
    [LEDGER_LABELS.kind]: claim.kind,
    [LEDGER_LABELS.state]: claim.state,
    [LEDGER_LABELS.instance]: toLabelValue(claim.instance),
  };
  if (claim.headSha) labels[LEDGER_LABELS.headSha] = toLabelValue(claim.headSha);
  const data: Record<string, string> = {
    "pr.json": JSON.stringify({ owner: claim.owner, repo: claim.repo, number: claim.number, headSha: claim.headSha }),
  };
  if (claim.context) data["context.json"] = JSON.stringify(claim.context);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: claimName(claim.deliveryId),
      namespace,
      labels,
      annotations: { [DELIVERY_ANNOTATION]: claim.deliveryId, [ACCEPTED_AT_ANNOTATION]: String(claim.acceptedAtMs) },
    },
    data,
  };
}

/** Selects every delivery claim (not pr-pod's runs, not the replicas' leases). */
export const CLAIM_SELECTOR = `${LEDGER_LABELS.managedBy}=${LEDGER_MANAGED_BY},${LEDGER_LABELS.component}=delivery`;

/**
 * Does `other` make `claim` pointless? A later delivery of the same PR that closes it or asks for
 * another SHA. (Same PR: the caller's claims all are, or it compares owner/repo/number first.)
 */
export function supersedes(other: DeliveryClaim, claim: DeliveryClaim): boolean {
  return (
    other.name !== claim.name &&
    other.owner === claim.owner &&
    other.repo === claim.repo &&
    other.number === claim.number &&
    other.acceptedAtMs >= claim.acceptedAtMs &&
    (other.kind === "close" || (other.headSha !== undefined && other.headSha !== claim.headSha))
  );
}

/** The claim a ConfigMap holds, or undefined when it is not one (edited by hand). */
export function claimFromConfigMap(configMap: V1ConfigMap): DeliveryClaim | undefined {
  const metadata = configMap.metadata ?? {};
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  try {
    const pr = JSON.parse(configMap.data?.["pr.json"] ?? "{}") as {
      owner: string;
      repo: string;
      number: number;
      headSha?: string;
    };
    const contextText = configMap.data?.["context.json"];
    const claim: DeliveryClaim = {
      name: metadata.name ?? "",
      deliveryId: annotations[DELIVERY_ANNOTATION] ?? "",
      kind: labels[LEDGER_LABELS.kind] === "close" ? "close" : "run",
      owner: pr.owner,
      repo: pr.repo,
      number: pr.number,
      instance: labels[LEDGER_LABELS.instance] ?? "",
      acceptedAtMs: Number(annotations[ACCEPTED_AT_ANNOTATION] ?? 0),
      state: (labels[LEDGER_LABELS.state] ?? "queued") as DeliveryState,
    };
    if (pr.headSha) claim.headSha = pr.headSha;
    if (contextText) claim.context = JSON.parse(contextText) as PullRequestContext;
    return claim;
  } catch {
    return undefined; // someone edited it by hand: not ours to interpret
  }
}

/** client-node call options that end the request after `ms` (a per-call middleware sets the signal). */
function abortAfter(ms: number): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}
