// Which replicas of `pr-pod serve` are alive, kept in the cluster: each replica holds one small
// ConfigMap with a lease (holder identity, duration, renew time, as in a coordination.k8s.io Lease and
// client-go's ConfigMap lock) and renews it every third of its duration. Another replica judges a
// lease by what it observes, not by comparing clocks: a lease whose renew time has not changed for its
// whole duration, as seen by the observer, belongs to a replica gone for good (client-go's leader
// election does the same). A ConfigMap, not a Lease: the service's Role already grants ConfigMaps.
// https://kubernetes.io/docs/concepts/architecture/leases/
import { createHash } from "node:crypto";
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions, type V1ConfigMap } from "@kubernetes/client-node";
import { toLabelValue } from "@pr-pod/pr-context";
import { httpStatusOf, messageOf } from "@pr-pod/runner";
import type { Logger } from "pino";
import { LEDGER_LABELS, LEDGER_MANAGED_BY } from "./delivery-ledger.ts";

export const LEASE_ANNOTATION = "pr-pod.dev/lease";
export const LEASE_COMPONENT = "replica-lease";
/** How long a replica may go without renewing before others take its work over. Default 30 s. */
export const DEFAULT_LEASE_DURATION_MS = 30_000;

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  renewTime: string;
}

export function leaseName(instance: string): string {
  return `pr-pod-serve-replica-${createHash("sha256").update(instance).digest("hex").slice(0, 24)}`;
}

export interface ReplicaLeaseOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  instanceId: string;
  logger: Logger;
  durationMs?: number;
}

/** This replica's lease: created or taken back on start, renewed until stop. */
export class ReplicaLease {
  readonly #options: ReplicaLeaseOptions;
  readonly #core: CoreV1Api;
  readonly #name: string;
  readonly #durationMs: number;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(options: ReplicaLeaseOptions) {
    this.#options = options;
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#name = leaseName(options.instanceId);
    this.#durationMs = options.durationMs ?? DEFAULT_LEASE_DURATION_MS;
  }

  get durationMs(): number {
    return this.#durationMs;
  }

  async start(): Promise<void> {
    await this.renew();
    this.#timer = setInterval(
      () => {
        this.#renewing ??= this.renew()
          .catch((error: unknown) =>
            this.#options.logger.warn({ err: messageOf(error) }, "could not renew this replica's lease"),
          )
          .finally(() => {
            this.#renewing = undefined;
          });
      },
      Math.max(100, Math.floor(this.#durationMs / 3)),
    );
    this.#timer.unref();
  }

  /**
   * Stops renewing. The lease is left to expire rather than deleted: a replica that restarts within
   * the duration (a StatefulSet pod) keeps its work, one that does not has it taken over.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
  }

  async renew(): Promise<void> {
    const { namespace, instanceId } = this.#options;
    const record: LeaseRecord = {
      holderIdentity: instanceId,
      leaseDurationSeconds: this.#durationMs / 1000,
      renewTime: new Date().toISOString(),
    };
    const annotations = { [LEASE_ANNOTATION]: JSON.stringify(record) };
    try {
      await this.#core.patchNamespacedConfigMap(
        { namespace, name: this.#name, body: { metadata: { annotations } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw error;
      const body: V1ConfigMap = {
        metadata: {
          name: this.#name,
          namespace,
          labels: {
            [LEDGER_LABELS.managedBy]: LEDGER_MANAGED_BY,
            [LEDGER_LABELS.component]: LEASE_COMPONENT,
            [LEDGER_LABELS.instance]: toLabelValue(instanceId),
          },
          annotations,
        },
      };
      try {
        await this.#core.createNamespacedConfigMap({ namespace, body });
      } catch (createError) {
        if (httpStatusOf(createError) !== 409) throw createError; // created meanwhile: the next renew patches it
      }
    }
  }
}

interface Observation {
  renewTime: string;
  /** When this replica saw that renew time first (its own clock only). */
  seenAtMs: number;
  durationMs: number;
  name: string;
  resourceVersion: string | undefined;
}

/** Another replica's view of the leases: which holders stopped renewing for their whole duration. */
export class LeaseObserver {
  readonly #core: CoreV1Api;
  readonly #namespace: string;
  readonly #defaultDurationMs: number;
  readonly #seen = new Map<string, Observation>();
  /** Instances with unfinished claims and no lease at all, since when (a replica from before leases, or one whose lease was removed). */
  readonly #missingSince = new Map<string, number>();

  constructor(options: { kubeConfig: KubeConfig; namespace: string; defaultDurationMs?: number }) {
    this.#core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.#namespace = options.namespace;
    this.#defaultDurationMs = options.defaultDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  }

  /** Reads the leases once and records what changed. */
  async observe(now = performance.now()): Promise<void> {
    const list = await this.#core.listNamespacedConfigMap({
      namespace: this.#namespace,
      labelSelector: `${LEDGER_LABELS.managedBy}=${LEDGER_MANAGED_BY},${LEDGER_LABELS.component}=${LEASE_COMPONENT}`,
    });
    const present = new Set<string>();
    for (const configMap of list.items) {
      const record = leaseRecordOf(configMap);
      if (!record) continue;
      // Keyed as claims name their replica (a label value).
      const holder = toLabelValue(record.holderIdentity);
      present.add(holder);
      this.#missingSince.delete(holder);
      const before = this.#seen.get(holder);
      if (before && before.renewTime === record.renewTime) {
        before.resourceVersion = configMap.metadata?.resourceVersion;
        continue;
      }
      this.#seen.set(holder, {
        renewTime: record.renewTime,
        seenAtMs: now,
        durationMs: record.leaseDurationSeconds * 1000,
        name: configMap.metadata?.name ?? "",
        resourceVersion: configMap.metadata?.resourceVersion,
      });
    }
    for (const holder of this.#seen.keys()) if (!present.has(holder)) this.#seen.delete(holder);
  }

  /**
   * Has `instance` (a claim's replica label, holding unfinished claims) stopped renewing for its
   * whole lease, as observed here?
   */
  isGone(instance: string, now = performance.now()): boolean {
    const seen = this.#seen.get(instance);
    if (seen) return now - seen.seenAtMs > seen.durationMs;
    const since = this.#missingSince.get(instance) ?? now;
    this.#missingSince.set(instance, since);
    return now - since > this.#defaultDurationMs;
  }

  /** Holders (as label values) whose lease has gone unrenewed for its whole duration, as observed. */
  goneHolders(now = performance.now()): string[] {
    return [...this.#seen.entries()]
      .filter(([, seen]) => now - seen.seenAtMs > seen.durationMs)
      .map(([holder]) => holder);
  }

  /** Removes the lease of a replica whose work was all taken over, unless it renewed meanwhile. */
  async forget(instance: string): Promise<void> {
    const seen = this.#seen.get(instance);
    this.#seen.delete(instance);
    this.#missingSince.delete(instance);
    if (!seen) return;
    try {
      await this.#core.deleteNamespacedConfigMap({
        namespace: this.#namespace,
        name: seen.name,
        body: { preconditions: { resourceVersion: seen.resourceVersion } },
      });
    } catch (error) {
      if (![404, 409].includes(httpStatusOf(error) ?? 0)) throw error;
    }
  }
}

function leaseRecordOf(configMap: V1ConfigMap): LeaseRecord | undefined {
  try {
    const record = JSON.parse(configMap.metadata?.annotations?.[LEASE_ANNOTATION] ?? "") as Partial<LeaseRecord>;
    if (typeof record.holderIdentity !== "string" || typeof record.renewTime !== "string") return undefined;
    const seconds = Number(record.leaseDurationSeconds);
    return {
      holderIdentity: record.holderIdentity,
      renewTime: record.renewTime,
      leaseDurationSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LEASE_DURATION_MS / 1000,
    };
  } catch {
    return undefined;
  }
}
