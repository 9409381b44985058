// Every delivery claim of the run namespace, kept current by one watch (client-node's informer: list,
// then watch, relist after a 410 or a dropped stream). A run asks it "has a later delivery of my PR
// replaced me?" from memory instead of listing ConfigMaps, and hears about such a delivery the moment
// the API server does, wherever it was accepted: this replica or another. One watch per replica
// replaces a list per check, which is what kept the API server (and so the claims) slow under load.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
import { CoreV1Api, type KubeConfig, makeInformer, type V1ConfigMap } from "@kubernetes/client-node";
import { toLabelValue } from "@pr-pod/pr-context";
import { messageOf } from "@pr-pod/runner";
import type { Logger } from "pino";
import { CLAIM_SELECTOR, claimFromConfigMap, type DeliveryClaim, supersedes } from "./delivery-ledger.ts";

export interface ClaimIndexOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: Logger;
  /** Wait before watching again after the watch failed (API server away). Default 1000 ms. */
  retryMs?: number;
}

type Listener = (claim: DeliveryClaim) => void;

export class ClaimIndex {
  readonly #options: ClaimIndexOptions;
  readonly #informer;
  /** Claims by ConfigMap name, without their PR context (the index needs PR, SHA, kind and order). */
  readonly #claims = new Map<string, DeliveryClaim>();
  readonly #listeners = new Set<Listener>();
  #synced = false;
  #stopped = false;
  #failed = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: ClaimIndexOptions) {
    this.#options = options;
    const { kubeConfig, namespace } = options;
    const core = kubeConfig.makeApiClient(CoreV1Api);
    this.#informer = makeInformer<V1ConfigMap>(
      kubeConfig,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace, labelSelector: CLAIM_SELECTOR }),
      CLAIM_SELECTOR,
    );
    const upsert = (configMap: V1ConfigMap) => {
      // The index keeps no PR context (a few KiB a claim), so it is not parsed either.
      delete configMap.data?.["context.json"];
      const claim = claimFromConfigMap(configMap);
      // The informer keeps this very object: without its data the cache stays small for the 3 days
      // claims are kept. Nothing else reads the informer's copies.
      delete configMap.data;
      if (!claim) return;
      const known = this.#claims.has(claim.name);
      this.#claims.set(claim.name, claim);
      if (!known) for (const listener of this.#listeners) listener(claim);
    };
    this.#informer.on("add", upsert);
    this.#informer.on("update", upsert);
    this.#informer.on("delete", (configMap) => this.#claims.delete(configMap.metadata?.name ?? ""));
    this.#informer.on("error", (error: unknown) => {
      // The informer stops on an error; until it lists again, callers fall back to the ledger.
      this.#synced = false;
      this.#failed = true;
      if (this.#stopped) return;
      const delayMs = Math.min((options.retryMs ?? 1000) * 2 ** this.#failures++, 15_000);
      if (this.#failures === 1)
        options.logger.warn({ err: messageOf(error) }, "the claim watch failed; watching again");
      this.#retry = setTimeout(() => void this.#start(), delayMs);
      this.#retry.unref();
    });
  }

  /** True once the claims were listed and are being watched; false while the watch is down. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Lists the claims and starts watching; resolves once the first list is in (or failed). */
  async start(): Promise<void> {
    await this.#start();
  }

  async #start(): Promise<void> {
    if (this.#stopped) return;
    this.#failed = false;
    // A failed list is reported through the "error" event, which retries.
    await this.#informer.start().catch(() => undefined);
    if (this.#failed || this.#stopped) return;
    this.#synced = true;
    if (this.#failures > 0) this.#options.logger.info("the claim watch is back");
    this.#failures = 0;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#informer.stop();
  }

  /** A later delivery of the claim's PR that replaces it (a close, or a push of another SHA), if one is known. */
  supersededBy(claim: DeliveryClaim): DeliveryClaim | undefined {
    let found: DeliveryClaim | undefined;
    for (const other of this.#claims.values()) {
      if (supersedes(other, claim) && (!found || other.acceptedAtMs < found.acceptedAtMs)) found = other;
    }
    return found;
  }

  /** The claims not done that a replica other than `instance` holds: what a takeover looks at. */
  unfinishedOfOthers(instance: string): DeliveryClaim[] {
    const label = toLabelValue(instance);
    return [...this.#claims.values()].filter((claim) => claim.state !== "done" && claim.instance !== label);
  }

  /** Calls `onNewer` once when a claim replacing `claim` appears. Returns the unsubscribe. */
  whenSuperseded(claim: DeliveryClaim, onNewer: Listener): () => void {
    const listener: Listener = (other) => {
      if (!supersedes(other, claim)) return;
      this.#listeners.delete(listener);
      onNewer(other);
    };
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
