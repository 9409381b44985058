// The ReplicaSet controller: keeps `spec.replicas` pods from the template alive (creating
// `<rs>-xxxxx` pods with a controller ownerReference, deleting the surplus) and writes the status
// fields the deployment controller and `kubectl rollout status` read.
// https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/

import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType } from "../api/resource-types.ts";
import { StatusError } from "../api/status-error.ts";
import type { Json, KubeObject } from "../json.ts";
import { kubeTime, sameJson } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

const replicaSets = mustResourceType("apps", "replicasets");
const pods = mustResourceType("", "pods");

export const isPodReady = (pod: KubeObject): boolean =>
  (pod.status?.conditions ?? []).some((c: Json) => c.type === "Ready" && c.status === "True");

const isTerminal = (pod: KubeObject) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

/** The live pods a controller owns (its controller ownerReference), read from the store's owner index. */
export function ownedPods(store: ObjectStore, owner: KubeObject): KubeObject[] {
  const uid = owner.metadata.uid as string;
  return store
    .readDependents(uid)
    .filter(
      ({ resourceType, object }) =>
        resourceType === pods && (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller),
    )
    .map(({ object }) => object);
}

export class ReplicaSetController {
  private readonly loop: ControllerLoop;
  /** The last pod create refusal per ReplicaSet uid, until a create succeeds again. */
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store, (e) => ["replicasets", "pods", "serviceaccounts"].includes(e.resourceType.resource));
  }

  stop(): void {
    this.loop.stop();
  }

  private sync(): void {
    const uids = new Set(this.store.readList(replicaSets).map((rs) => rs.metadata.uid as string));
    for (const uid of this.failures.keys()) if (!uids.has(uid)) this.failures.delete(uid);
    for (const rs of this.store.readList(replicaSets)) {
      try {
        this.syncReplicaSet(rs);
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        this.loop.scheduleAfter(100);
      }
    }
  }

  private syncReplicaSet(rs: KubeObject): void {
    if (rs.metadata.deletionTimestamp) return;
    const owned = ownedPods(this.store, rs).filter((p) => !isTerminal(p));
    const live = owned.filter((p) => !p.metadata.deletionTimestamp);
    const wanted = rs.spec?.replicas ?? 1;
    if (live.length < wanted) {
      for (let i = live.length; i < wanted; i++) {
        const pod = this.createPod(rs);
        if (!pod) break;
        live.push(pod);
      }
    } else if (live.length > wanted) {
      // Not-ready pods go first, as the real controller ranks them.
      const surplus = [...live].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)));
      for (const pod of surplus.slice(0, live.length - wanted)) {
        try {
          this.registry.delete(pods, pod.metadata.namespace, pod.metadata.name as string);
          this.registry.recordEvent(
            rs,
            replicaSets,
            "Normal",
            "SuccessfulDelete",
            `Deleted pod: ${pod.metadata.name}`,
            "replicaset-controller",
          );
        } catch {
          // Already gone.
        }
      }
      live.splice(0, live.length, ...surplus.slice(live.length - wanted));
    }
    const ready = live.filter(isPodReady).length;
    // ReplicaFailure, as the real controller sets it when pods cannot be created (quota, admission).
    const failure = this.failures.get(rs.metadata.uid as string);
    const others = (rs.status?.conditions ?? []).filter((c: Json) => c.type !== "ReplicaFailure");
    const previous = (rs.status?.conditions ?? []).find((c: Json) => c.type === "ReplicaFailure");
    const conditions = failure
      ? [
          ...others,
          previous?.message === failure
            ? previous
            : {
                type: "ReplicaFailure",
                status: "True",
                lastTransitionTime: kubeTime(),
                reason: "FailedCreate",
                message: failure,
              },
        ]
      : others;
    const status: Json = {
      ...(rs.status ?? {}),
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    };
    if (conditions.length > 0) status.conditions = conditions;
    else delete status.conditions;
    for (const key of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]) {
      if (status[key] === 0) delete status[key];
    }
    if (!sameJson(status, rs.status)) this.registry.writeStatus(replicaSets, { ...rs, status });
  }

  private createPod(rs: KubeObject): KubeObject | undefined {
    const template = rs.spec?.template ?? {};
    try {
      const pod = this.registry.create(pods, rs.metadata.namespace, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          ...(template.metadata ?? {}),
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace,
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: "ReplicaSet",
              name: rs.metadata.name,
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: template.spec,
      });
      this.failures.delete(rs.metadata.uid as string);
      this.registry.recordEvent(
        rs,
        replicaSets,
        "Normal",
        "SuccessfulCreate",
        `Created pod: ${pod.metadata.name}`,
        "replicaset-controller",
      );
      return pod;
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      // Quota refusals and missing service accounts show up here, as `kubectl describe rs` shows them.
      this.failures.set(rs.metadata.uid as string, error.message);
      this.registry.recordEvent(
        rs,
        replicaSets,
        "Warning",
        "FailedCreate",
        `Error creating: ${error.message}`,
        "replicaset-controller",
      );
      this.loop.scheduleAfter(500);
      return undefined;
    }
  }
}
