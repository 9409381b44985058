// The garbage collector: dependents of deleted owners go (Background), owners marked
// foregroundDeletion wait for their dependents to go first, owners marked orphan release theirs.
// https://kubernetes.io/docs/concepts/architecture/garbage-collection/

import type { ResourceRegistry } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-types.ts";
import type { KubeObject } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

export class GarbageCollector {
  private readonly loop: ControllerLoop;
  /** Dependents whose deletion is scheduled (uid → timer), with `delayMs`. */
  private readonly scheduled = new Map<string, NodeJS.Timeout>();

  /**
   * `delayMs`: how long a dependent outlives its deleted owner (Background), or its owner's
   * foreground deletion waits for it. A real collector takes its
   * time (1-3 s for a Job's pod, Secret and ServiceAccount), so a client that says "deleted" once its
   * delete call returns can be caught out; 0 collects at once.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly delayMs = 0,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store);
  }

  stop(): void {
    this.loop.stop();
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
  }

  private sync(): void {
    // Reads the stored objects without copying them (writes go through the registry) and finds
    // dependents from the store's owner index, so a pass costs the number of objects.
    const all = [...this.store.readAll()];
    // Owners as at the start of the pass: a dependent orphaned in this pass still names its owner.
    const uids = new Set(all.map((e) => e.object.metadata.uid));
    const dependentsOf = (uid: string) => this.store.readDependents(uid);

    for (const { resourceType, object } of all) {
      const finalizers = object.metadata.finalizers ?? [];
      if (object.metadata.deletionTimestamp && finalizers.includes("orphan")) {
        for (const dependent of dependentsOf(object.metadata.uid as string)) {
          const refs = (dependent.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== object.metadata.uid);
          this.registry.writeMetadata(dependent.resourceType, {
            ...dependent.object,
            metadata: { ...dependent.object.metadata, ownerReferences: refs },
          });
        }
        this.dropFinalizer(resourceType, object, "orphan");
        continue;
      }
      if (object.metadata.deletionTimestamp && finalizers.includes("foregroundDeletion")) {
        const dependents = dependentsOf(object.metadata.uid as string);
        for (const dependent of dependents) {
          if (dependent.object.metadata.deletionTimestamp) continue;
          this.collect(dependent.resourceType, dependent.object, "Foreground");
        }
        if (dependents.length === 0) this.dropFinalizer(resourceType, object, "foregroundDeletion");
        continue;
      }
      const owners = object.metadata.ownerReferences ?? [];
      if (owners.length > 0 && !object.metadata.deletionTimestamp && owners.every((r) => !uids.has(r.uid))) {
        this.collect(resourceType, object);
      }
    }
  }

  private collect(
    t: ResourceType,
    object: KubeObject,
    propagationPolicy: "Background" | "Foreground" = "Background",
  ): void {
    if (this.delayMs <= 0) {
      this.deleteQuietly(t, object, propagationPolicy);
      return;
    }
    const uid = object.metadata.uid as string;
    if (this.scheduled.has(uid)) return;
    const target = { namespace: object.metadata.namespace, name: object.metadata.name, uid };
    const timer = setTimeout(() => {
      this.scheduled.delete(uid);
      this.deleteQuietly(t, { metadata: target } as KubeObject, propagationPolicy);
    }, this.delayMs);
    timer.unref();
    this.scheduled.set(uid, timer);
  }

  private dropFinalizer(t: ResourceType, object: KubeObject, finalizer: string): void {
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.registry.writeMetadata(t, { ...object, metadata: { ...object.metadata, finalizers } });
  }

  private deleteQuietly(t: ResourceType, object: KubeObject, propagationPolicy: "Background" | "Foreground"): void {
    try {
      this.registry.delete(t, object.metadata.namespace, object.metadata.name as string, {
        propagationPolicy,
        preconditions: { uid: object.metadata.uid as string },
      });
    } catch {
      // Already gone or replaced: nothing left to collect.
    }
  }
}
