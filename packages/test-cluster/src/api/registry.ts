// What each verb does to stored objects, independent of HTTP: defaults, validation, optimistic
// concurrency, generation, status subresources, dry-run, graceful and cascading deletion.
// Controllers and the kubelet write through here too, so they see the same rules as clients.
import { randomUUID } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { canonicalJson, deepCopy, isPlainObject, type Json, type KubeObject, kubeTime, sameJson } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { applyCreateDefaults, generatedName } from "./defaults.ts";
import { fieldPaths, jsonMergePatch, jsonPatch, strategicMergePatch } from "./patch.ts";
import { apiVersionOf, mustResourceType, type ResourceType } from "./resource-types.ts";
import { applyConfiguration, managedEntry, recordUpdateOwnership, withoutStatus } from "./server-side-apply.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  StatusError,
  staleObjectMessage,
} from "./status-error.ts";
import { base64Error, immutableFieldChanges, invalidValue, validateObject } from "./validation.ts";

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** "status" writes only .status; "" or undefined writes everything but .status (for kinds with a status subresource). */
  subresource?: string;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

/** Server-side apply has already computed managedFields; the shared update path must keep them. */
interface UpdateOptions extends WriteOptions {
  keepManagedFields?: boolean;
}

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object as it was removed, or as it now is while its deletion waits (finalizers, grace period). */
  object: KubeObject;
  deleted: boolean;
}

const namespaces = mustResourceType("", "namespaces");
const serviceAccounts = mustResourceType("", "serviceaccounts");
const eventsType = mustResourceType("", "events");

export class ResourceRegistry {
  constructor(private readonly store: ObjectStore) {}

  get currentResourceVersion(): number {
    return this.store.resourceVersion;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(t, t.namespaced ? namespace : undefined, name);
    if (!found) throw notFound(t, name);
    return withTypeMeta(t, found);
  }

  find(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.store.get(t, t.namespaced ? namespace : undefined, name);
    return found ? withTypeMeta(t, found) : undefined;
  }

  list(t: ResourceType, namespace?: string, keep?: (object: KubeObject) => boolean): KubeObject[] {
    return this.store.list(t, t.namespaced ? namespace : undefined, keep);
  }

  create(t: ResourceType, namespace: string | undefined, body: Json, options: WriteOptions = {}): KubeObject {
    if (!isPlainObject(body)) throw badRequest("the body of the request was in an unknown format");
    const object = deepCopy(body) as KubeObject;
    object.metadata = isPlainObject(object.metadata) ? object.metadata : {};
    this.checkTypeMeta(t, object);
    if (t.namespaced) {
      const ns = namespace ?? object.metadata.namespace;
      if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      object.metadata.namespace = ns;
      const owner = this.store.get(namespaces, undefined, ns ?? "");
      if (!owner) throw notFound(namespaces, ns ?? "");
      if (owner.metadata.deletionTimestamp) {
        throw forbidden(
          t,
          object.metadata.name,
          `unable to create new content in namespace ${ns} because it is being terminated`,
        );
      }
    } else delete object.metadata.namespace;
    // Admission sees the object before the name is generated (messages say `pods "job-"`).
    if (t.resource === "pods") this.admitPod(object);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = generatedName(object.metadata.generateName);
    }
    this.normalizeData(t, object);
    const causes = validateObject(t, object);
    if (causes.length > 0) throw invalid(t, object.metadata.name ?? "", causes);
    if (this.store.get(t, object.metadata.namespace, object.metadata.name as string)) {
      throw alreadyExists(t, object.metadata.name as string);
    }
    delete object.metadata.resourceVersion;
    applyCreateDefaults(t.resource, object, kubeTime());
    if (options.fieldManager) {
      object.metadata.managedFields = [
        managedEntry(t, options.fieldManager, "Update", fieldPaths(withoutStatus(body))),
      ];
    }
    if (options.dryRun) return withTypeMeta(t, { ...object, metadata: { ...object.metadata, resourceVersion: "" } });
    const stored = this.store.put(t, withTypeMeta(t, object));
    if (t.resource === "namespaces") this.createDefaultServiceAccount(stored.metadata.name as string);
    return stored;
  }

  replace(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    body: Json,
    options: WriteOptions = {},
  ): KubeObject {
    if (!isPlainObject(body)) throw badRequest("the body of the request was in an unknown format");
    const current = this.get(t, namespace, name);
    const incoming = deepCopy(body) as KubeObject;
    incoming.metadata = isPlainObject(incoming.metadata) ? incoming.metadata : {};
    this.checkTypeMeta(t, incoming);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(t, name, staleObjectMessage);
    if (incoming.metadata.uid && incoming.metadata.uid !== current.metadata.uid) {
      throw conflict(
        t,
        name,
        `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    return this.writeUpdate(t, current, incoming, options);
  }

  patch(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    rawBody: string,
    options: PatchOptions = {},
  ): KubeObject {
    const type = contentType.split(";")[0]?.trim() ?? "";
    if (type === "application/apply-patch+yaml" || type === "application/apply-patch+cbor") {
      return this.apply(t, namespace, name, rawBody, options);
    }
    const current = this.get(t, namespace, name);
    let patchDoc: Json;
    try {
      patchDoc = JSON.parse(rawBody);
    } catch (error) {
      throw badRequest(`error decoding patch: ${(error as Error).message}`);
    }
    let patched: Json;
    if (type === "application/merge-patch+json") patched = jsonMergePatch(current, patchDoc);
    else if (type === "application/strategic-merge-patch+json") patched = strategicMergePatch(current, patchDoc);
    else if (type === "application/json-patch+json") patched = jsonPatch(current, patchDoc);
    else {
      throw new StatusError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    }
    if (!isPlainObject(patched)) throw badRequest("patch did not produce an object");
    patched.metadata = isPlainObject(patched.metadata) ? patched.metadata : {};
    const rv = patched.metadata.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(t, name, staleObjectMessage);
    patched.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.writeUpdate(t, current, patched as KubeObject, options);
  }

  /** Server-side apply with simple field ownership: conflicts with other managers unless force. */
  private apply(
    t: ResourceType,
    namespace: string | undefined,
    name: string,
    rawBody: string,
    options: PatchOptions,
  ): KubeObject {
    if (!options.fieldManager) {
      // As ValidatePatchOptions words it: an Invalid PatchOptions.meta.k8s.io, not a bad request.
      throw new StatusError(
        422,
        "Invalid",
        `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`,
        {
          group: "meta.k8s.io",
          kind: "PatchOptions",
          causes: [
            {
              reason: "FieldValueRequired",
              message: "Required value: is required for apply patch",
              field: "fieldManager",
            },
          ],
        },
      );
    }
    let config: Json;
    try {
      config = parseYaml(rawBody);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    if (!isPlainObject(config)) throw badRequest("the body of the request was in an unknown format");
    config.metadata = isPlainObject(config.metadata) ? config.metadata : {};
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    config.metadata.name = name;
    const manager = options.fieldManager;
    const current = this.find(t, namespace, name);
    if (!current) {
      const created = this.create(t, namespace, config, { ...options, fieldManager: undefined });
      if (options.dryRun) return created;
      created.metadata.managedFields = [managedEntry(t, manager, "Apply", fieldPaths(withoutStatus(config)))];
      return this.store.put(t, created);
    }
    const merged = applyConfiguration(t, current, config, manager, options.force === true);
    const { fieldManager: _manager, ...rest } = options;
    return this.writeUpdate(t, current, merged, { ...rest, keepManagedFields: true });
  }

  /** Shared tail of replace/patch/apply: keep what the client may not change, validate, store. */
  private writeUpdate(t: ResourceType, current: KubeObject, incoming: KubeObject, options: UpdateOptions): KubeObject {
    const next: KubeObject = deepCopy(incoming);
    const keep = current.metadata;
    next.metadata = {
      ...next.metadata,
      name: keep.name,
      uid: keep.uid,
      creationTimestamp: keep.creationTimestamp,
      generation: keep.generation,
      resourceVersion: keep.resourceVersion,
    };
    if (t.namespaced) next.metadata.namespace = keep.namespace;
    else delete next.metadata.namespace;
    if (keep.deletionTimestamp) {
      next.metadata.deletionTimestamp = keep.deletionTimestamp;
      if (keep.deletionGracePeriodSeconds !== undefined)
        next.metadata.deletionGracePeriodSeconds = keep.deletionGracePeriodSeconds;
    } else {
      delete next.metadata.deletionTimestamp;
      delete next.metadata.deletionGracePeriodSeconds;
    }
    if (!options.keepManagedFields) next.metadata.managedFields = keep.managedFields;
    if (t.statusSubresource) {
      if (options.subresource === "status") {
        // A status write changes .status only; everything else stays as stored.
        for (const [key, value] of Object.entries(current)) if (key !== "status") next[key] = deepCopy(value);
      } else next.status = deepCopy(current.status);
    }
    this.normalizeData(t, next);
    const causes = validateObject(t, next);
    causes.push(...immutableFieldChanges(t, current, next));
    if (causes.length > 0) throw invalid(t, keep.name as string, causes);
    if (specOf(current) !== specOf(next)) next.metadata.generation = (keep.generation ?? 1) + 1;
    if (options.fieldManager && !options.keepManagedFields) {
      next.metadata.managedFields = recordUpdateOwnership(
        t,
        keep.managedFields ?? [],
        options.fieldManager,
        current,
        next,
      );
    }
    const typed = withTypeMeta(t, next);
    if (sameJson(typed, withTypeMeta(t, current))) return typed;
    if (options.dryRun) return typed;
    const stored = this.store.put(t, typed);
    return this.finishDeletionIfReady(t, stored);
  }

  /**
   * Deletes as the API server does: preconditions, then either removes the object now or marks it
   * (deletionTimestamp + finalizers) when a pod must stop first or dependents are handled first.
   */
  delete(t: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const current = this.get(t, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        t,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (options.dryRun) return { object: current, deleted: false };
    const policy =
      options.propagationPolicy ??
      (options.orphanDependents === true
        ? "Orphan"
        : options.orphanDependents === false
          ? "Background"
          : defaultPolicy(t));
    const next = deepCopy(current);
    const finalizers = new Set(next.metadata.finalizers ?? []);
    if (policy === "Foreground") finalizers.add("foregroundDeletion");
    if (policy === "Orphan") finalizers.add("orphan");
    if (t.resource === "namespaces") finalizers.add("kubernetes");
    const graceful = t.resource === "pods" && this.podNeedsGracefulStop(current, options.gracePeriodSeconds);
    if (finalizers.size === 0 && !graceful) {
      const removed = this.store.remove(t, current.metadata.namespace, name);
      return { object: withTypeMeta(t, removed ?? current), deleted: true };
    }
    if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
    if (!next.metadata.deletionTimestamp) {
      const grace = graceful ? (options.gracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30) : 0;
      next.metadata.deletionTimestamp = kubeTime(new Date(Date.now() + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
    } else if (graceful && options.gracePeriodSeconds !== undefined) {
      next.metadata.deletionGracePeriodSeconds = Math.min(
        next.metadata.deletionGracePeriodSeconds ?? 30,
        options.gracePeriodSeconds,
      );
    }
    if (t.resource === "namespaces") next.status = { ...(next.status ?? {}), phase: "Terminating" };
    const stored = this.store.put(t, next);
    return { object: stored, deleted: false };
  }

  /** Pods on a node that are not finished get a grace period for the kubelet to stop them. */
  private podNeedsGracefulStop(pod: KubeObject, gracePeriodSeconds: number | undefined): boolean {
    if (gracePeriodSeconds === 0) return false;
    if (!pod.spec?.nodeName) return false;
    return pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
  }

  /** Removes an object whose deletion was pending once nothing holds it any more. */
  finishDeletionIfReady(t: ResourceType, object: KubeObject): KubeObject {
    if (!object.metadata.deletionTimestamp) return object;
    if ((object.metadata.finalizers ?? []).length > 0) return object;
    if (
      t.resource === "pods" &&
      object.spec?.nodeName &&
      !["Succeeded", "Failed"].includes(object.status?.phase) &&
      (object.metadata.deletionGracePeriodSeconds ?? 0) > 0
    ) {
      return object;
    }
    this.store.remove(t, object.metadata.namespace, object.metadata.name as string);
    return object;
  }

  /** Finishes a graceful pod deletion (the kubelet calls this once containers stopped). */
  forgetPod(namespace: string, name: string): void {
    const pods = mustResourceType("", "pods");
    const pod = this.store.get(pods, namespace, name);
    if (!pod?.metadata.deletionTimestamp) return;
    if ((pod.metadata.finalizers ?? []).length > 0) {
      this.store.put(pods, { ...pod, metadata: { ...pod.metadata, deletionGracePeriodSeconds: 0 } });
      return;
    }
    this.store.remove(pods, namespace, name);
  }

  /** Controllers' writes: the object as given (status included), no concurrency check. */
  writeStatus(t: ResourceType, object: KubeObject): KubeObject | undefined {
    const current = this.store.get(t, object.metadata.namespace, object.metadata.name as string);
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    const next = { ...current, status: deepCopy(object.status) };
    if (sameJson(next.status, current.status)) return withTypeMeta(t, current);
    const stored = this.store.put(t, withTypeMeta(t, next));
    return this.finishDeletionIfReady(t, stored);
  }

  /** Controllers' metadata writes (finalizers, ownerReferences). */
  writeMetadata(t: ResourceType, object: KubeObject): KubeObject | undefined {
    const current = this.store.get(t, object.metadata.namespace, object.metadata.name as string);
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    const next = {
      ...current,
      metadata: {
        ...current.metadata,
        ...pick(object.metadata, ["finalizers", "ownerReferences", "labels", "annotations"]),
      },
    };
    if (next.metadata.finalizers?.length === 0) delete next.metadata.finalizers;
    if (next.metadata.ownerReferences?.length === 0) delete next.metadata.ownerReferences;
    const stored = this.store.put(t, withTypeMeta(t, next));
    return this.finishDeletionIfReady(t, stored);
  }

  /**
   * A core/v1 Event about an object, as controllers and the kubelet record them. `fieldPath` names a
   * container (`spec.containers{web}`); with `aggregate`, a repeat of the same event updates the first
   * one's count and lastTimestamp, as client-go's event correlator does (the kubelet's probe events).
   */
  recordEvent(
    involved: KubeObject,
    involvedType: ResourceType,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    component: string,
    options: { fieldPath?: string; aggregate?: boolean } = {},
  ): void {
    const namespace = involved.metadata.namespace ?? "default";
    if (!this.store.get(namespaces, undefined, namespace)) return;
    const now = kubeTime();
    if (options.aggregate) {
      const same = this.store.readList(eventsType, namespace).find((e) => {
        const about = e.involvedObject as { uid?: string; fieldPath?: string } | undefined;
        return (
          about?.uid === involved.metadata.uid &&
          about?.fieldPath === options.fieldPath &&
          e.reason === reason &&
          e.message === message
        );
      });
      if (same) {
        this.store.put(eventsType, { ...same, count: Number(same.count ?? 1) + 1, lastTimestamp: now });
        return;
      }
    }
    this.store.put(eventsType, {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: `${involved.metadata.name}.${randomUUID().replace(/-/g, "").slice(0, 16)}`,
        namespace,
        uid: randomUUID(),
        creationTimestamp: now,
      },
      involvedObject: {
        apiVersion: apiVersionOf(involvedType),
        kind: involvedType.kind,
        name: involved.metadata.name,
        namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
        ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
      },
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: "",
    });
  }

  private checkTypeMeta(t: ResourceType, object: KubeObject): void {
    if (object.kind !== undefined && object.kind !== t.kind) {
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: the object provided is unrecognized (kind ${object.kind})`,
      );
    }
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(t)) {
      throw badRequest(
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${apiVersionOf(t)})`,
      );
    }
  }

  /** Secrets: stringData folds into data; data must be base64 (a decode error, 400, as the real server). */
  private normalizeData(t: ResourceType, object: KubeObject): void {
    if (t.resource !== "secrets") return;
    for (const [key, value] of Object.entries(object.data ?? {})) {
      const error = base64Error(value);
      if (error) throw badRequest(`Secret in version "v1" cannot be handled as a Secret: ${error}`);
      if (key === "") throw invalid(t, object.metadata.name ?? "", [invalidValue("data", key, "must not be empty")]);
    }
    if (object.stringData) {
      object.data ??= {};
      for (const [key, value] of Object.entries(object.stringData)) {
        object.data[key] = Buffer.from(String(value)).toString("base64");
      }
      delete object.stringData;
    }
  }

  /** The ServiceAccount admission plugin: a pod's service account must exist. */
  private admitPod(pod: KubeObject): void {
    const sa = pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? "default";
    if (!this.store.get(serviceAccounts, pod.metadata.namespace, sa)) {
      throw forbidden(
        mustResourceType("", "pods"),
        pod.metadata.name ?? pod.metadata.generateName,
        `error looking up service account ${pod.metadata.namespace}/${sa}: serviceaccount "${sa}" not found`,
      );
    }
    this.admitPodQuota(pod);
  }

  /**
   * ResourceQuota admission for the pod count (`pods` / `count/pods`), the one quota a preview's pods
   * hit first; pods in a terminal phase do not count, as in the real quota evaluator.
   * https://kubernetes.io/docs/concepts/policy/resource-quotas/
   */
  private admitPodQuota(pod: KubeObject): void {
    const namespace = pod.metadata.namespace;
    const podsType = mustResourceType("", "pods");
    for (const quota of this.store.readList(mustResourceType("", "resourcequotas"), namespace)) {
      const hard = quota.spec?.hard ?? {};
      const key = hard.pods !== undefined ? "pods" : hard["count/pods"] !== undefined ? "count/pods" : undefined;
      if (!key) continue;
      const limit = Number(hard[key]);
      const used = this.store
        .readList(podsType, namespace)
        .filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed").length;
      if (used + 1 > limit) {
        throw forbidden(
          podsType,
          pod.metadata.name ?? pod.metadata.generateName,
          `exceeded quota: ${quota.metadata.name}, requested: ${key}=1, used: ${key}=${used}, limited: ${key}=${hard[key]}`,
        );
      }
    }
  }

  private createDefaultServiceAccount(namespace: string): void {
    if (this.store.get(serviceAccounts, namespace, "default")) return;
    this.store.put(serviceAccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace, uid: randomUUID(), creationTimestamp: kubeTime() },
    });
  }
}

function defaultPolicy(t: ResourceType): PropagationPolicy {
  // batch/v1 Jobs still orphan their pods by default (for compatibility); kubectl asks for Background.
  return t.resource === "jobs" ? "Orphan" : "Background";
}

export function withTypeMeta(t: ResourceType, object: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return { apiVersion: apiVersionOf(t), kind: t.kind, ...rest };
}

function specOf(object: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return canonicalJson(rest);
}

function pick(source: Json, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) if (source?.[key] !== undefined) out[key] = source[key];
  return out;
}
