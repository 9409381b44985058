// The cluster's state: every object by resource, namespace and name, one global resourceVersion
// counter (as etcd has), and a bounded history of changes that watches replay from.
import { EventEmitter } from "node:events";
import type { ResourceType } from "../api/resource-types.ts";
import { deepCopy, type KubeObject } from "../json.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: WatchEventType;
  resourceType: ResourceType;
  /** A frozen snapshot: never mutate. */
  object: KubeObject;
  /** For MODIFIED: the object before the change (watches use it to see an object leave a selector). */
  previous?: KubeObject;
  resourceVersion: number;
}

export class ResourceVersionTooOld extends Error {
  constructor(
    readonly requested: number,
    readonly oldestAvailable: number,
  ) {
    super(`too old resource version: ${requested} (${oldestAvailable})`);
  }
}

function keyOf(t: ResourceType): string {
  return `${t.group}/${t.resource}`;
}

export class ObjectStore {
  private revision = 0;
  /** Versions at or below this are no longer in history (compacted): asking for them is 410 Gone. */
  private compactedRevision = 0;
  private readonly objects = new Map<string, { resourceType: ResourceType; items: Map<string, KubeObject> }>();
  private readonly history: StoreEvent[] = [];
  private readonly emitter = new EventEmitter();
  /** Owner uid → its dependents' places (`type key|namespace/name`), kept in step with every put and remove. */
  private readonly dependents = new Map<string, Map<string, { resourceType: ResourceType; key: string }>>();
  /**
   * Per resource, as the API server's watch cache keeps them: the resourceVersions of its newest
   * `watchCacheSize` changes, and the newest version that has fallen out of that window (a watch from
   * below it is 410 Expired, however recent the store's global history).
   */
  private readonly watchWindows = new Map<string, { versions: number[]; expiredBelow: number }>();

  constructor(
    private readonly historyLimit = 5000,
    private readonly watchCacheSize = Number.POSITIVE_INFINITY,
    /** Fields this server's schema lacks (say, a Job's `spec.suspend` before Kubernetes 1.21): dropped on every write. */
    private readonly unknownFields: { resource: string; drop: (object: KubeObject) => void }[] = [],
  ) {
    this.emitter.setMaxListeners(0);
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get oldestResourceVersion(): number {
    return this.compactedRevision;
  }

  private table(t: ResourceType): Map<string, KubeObject> {
    let table = this.objects.get(keyOf(t));
    if (!table) {
      table = { resourceType: t, items: new Map() };
      this.objects.set(keyOf(t), table);
    }
    return table.items;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(t).get(`${namespace ?? ""}/${name}`);
    return found ? deepCopy(found) : undefined;
  }

  /**
   * Copies of the objects (those `keep` accepts, when given), sorted as etcd's key order returns them.
   * `keep` sees the stored objects before anything is copied: with many runs' pods in one namespace,
   * copying every pod for each selective list grew with the square of the runs.
   */
  list(t: ResourceType, namespace?: string, keep?: (object: KubeObject) => boolean): KubeObject[] {
    const out: KubeObject[] = [];
    for (const object of this.table(t).values()) {
      if ((namespace === undefined || object.metadata.namespace === namespace) && (keep === undefined || keep(object)))
        out.push(deepCopy(object));
    }
    return out.sort(byStoreOrder);
  }

  /**
   * The stored objects themselves, not copies, for controllers that only read: never mutate them.
   * (Stored objects are replaced, never changed in place, so a held one stays a consistent snapshot.)
   */
  readList(t: ResourceType, namespace?: string): readonly KubeObject[] {
    const out: KubeObject[] = [];
    for (const object of this.table(t).values()) {
      if (namespace === undefined || object.metadata.namespace === namespace) out.push(object);
    }
    return out;
  }

  /** Every stored object of every type, not copied: never mutate them. */
  *readAll(): Generator<{ resourceType: ResourceType; object: KubeObject }> {
    for (const { resourceType, items } of this.objects.values()) {
      for (const object of items.values()) yield { resourceType, object };
    }
  }

  /** The objects whose ownerReferences name `ownerUid`, from an index (not copied: never mutate them). */
  readDependents(ownerUid: string): { resourceType: ResourceType; object: KubeObject }[] {
    const out: { resourceType: ResourceType; object: KubeObject }[] = [];
    for (const { resourceType, key } of this.dependents.get(ownerUid)?.values() ?? []) {
      const object = this.table(resourceType).get(key);
      if (object) out.push({ resourceType, object });
    }
    return out;
  }

  private index(t: ResourceType, key: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    const place = `${keyOf(t)}|${key}`;
    for (const ref of before?.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(place);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
    for (const ref of after?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) {
        set = new Map();
        this.dependents.set(ref.uid, set);
      }
      set.set(place, { resourceType: t, key });
    }
  }

  /** Every stored object of every type, copied. */
  *all(): Generator<{ resourceType: ResourceType; object: KubeObject }> {
    for (const { resourceType, items } of this.objects.values()) {
      for (const object of items.values()) yield { resourceType, object: deepCopy(object) };
    }
  }

  /** Stores a new or changed object, stamping the next resourceVersion; returns the stored copy. */
  put(t: ResourceType, object: KubeObject): KubeObject {
    const key = `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
    const table = this.table(t);
    const previous = table.get(key);
    const type = previous ? "MODIFIED" : "ADDED";
    this.revision += 1;
    const stored = deepCopy(object);
    for (const field of this.unknownFields) if (field.resource === t.resource) field.drop(stored);
    stored.metadata.resourceVersion = String(this.revision);
    table.set(key, stored);
    this.index(t, key, previous, stored);
    this.record(type, t, stored, previous);
    return deepCopy(stored);
  }

  remove(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = `${namespace ?? ""}/${name}`;
    const table = this.table(t);
    const existing = table.get(key);
    if (!existing) return undefined;
    table.delete(key);
    this.index(t, key, existing, undefined);
    this.revision += 1;
    const gone = deepCopy(existing);
    gone.metadata.resourceVersion = String(this.revision);
    this.record("DELETED", t, gone);
    return deepCopy(gone);
  }

  private record(type: WatchEventType, t: ResourceType, object: KubeObject, previous?: KubeObject): void {
    const event: StoreEvent = {
      ...(previous ? { previous: Object.freeze(previous) } : {}),
      type,
      resourceType: t,
      object: Object.freeze(deepCopy(object)),
      resourceVersion: this.revision,
    };
    this.history.push(event);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.compactedRevision = dropped.resourceVersion;
    }
    let window = this.watchWindows.get(keyOf(t));
    if (!window) {
      window = { versions: [], expiredBelow: 0 };
      this.watchWindows.set(keyOf(t), window);
    }
    window.versions.push(this.revision);
    if (window.versions.length > this.watchCacheSize) window.expiredBelow = window.versions.shift() ?? 0;
    this.emitter.emit("event", event);
  }

  /** Forgets all history: every resourceVersion seen so far becomes too old (410) for watch and list. */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }

  /**
   * Events after `resourceVersion`; throws ResourceVersionTooOld when history no longer reaches back
   * that far, or (given `t`) when that resource's watch window does not.
   */
  eventsSince(resourceVersion: number, t?: ResourceType): StoreEvent[] {
    if (resourceVersion < this.compactedRevision) {
      throw new ResourceVersionTooOld(resourceVersion, this.compactedRevision + 1);
    }
    const window = t ? this.watchWindows.get(keyOf(t)) : undefined;
    if (window && resourceVersion < window.expiredBelow) {
      throw new ResourceVersionTooOld(resourceVersion, window.versions[0] ?? this.revision);
    }
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}

/** The store's list order: namespace, then name, as etcd's key order returns them. */
export function byStoreOrder(a: KubeObject, b: KubeObject): number {
  return sortKey(a).localeCompare(sortKey(b));
}

function sortKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}
