// The Deployment controller: one ReplicaSet per pod template (`<deploy>-<pod-template-hash>`),
// the newest scaled to spec.replicas and the older ones to 0 once the new one is available (a
// rollout with full surge), and the rollout status Helm's kstatus waiter and `kubectl rollout status`
// read: observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, and the
// Available / Progressing conditions with the real controller's reasons.
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status

import { createHash } from "node:crypto";
import type { ResourceRegistry } from "../api/registry.ts";
import { mustResourceType } from "../api/resource-types.ts";
import { StatusError } from "../api/status-error.ts";
import { canonicalJson, type Json, type KubeObject, kubeTime, sameJson } from "../json.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { ControllerLoop } from "./controller-loop.ts";

const deployments = mustResourceType("apps", "deployments");
const replicaSets = mustResourceType("apps", "replicasets");
const revisionAnnotation = "deployment.kubernetes.io/revision";

/** A short stable hash of the pod template, in the alphabet pod names use (like ComputeHash). */
export function podTemplateHash(template: Json): string {
  const digest = createHash("sha256").update(canonicalJson(template)).digest();
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length];
  return out;
}

function setCondition(conditions: Json[], type: string, status: string, reason: string, message: string): void {
  const now = kubeTime();
  const index = conditions.findIndex((c) => c.type === type);
  const old = conditions[index];
  if (old && old.status === status && old.reason === reason && old.message === message) return;
  const entry = {
    type,
    status,
    lastUpdateTime: now,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    reason,
    message,
  };
  if (index >= 0) conditions[index] = entry;
  else conditions.push(entry);
}

export class DeploymentController {
  private readonly loop: ControllerLoop;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
  ) {
    this.loop = new ControllerLoop(() => this.sync());
    this.loop.watch(store, (e) => ["deployments", "replicasets"].includes(e.resourceType.resource));
  }

  stop(): void {
    this.loop.stop();
  }

  private sync(): void {
    for (const deployment of this.store.readList(deployments)) {
      try {
        this.syncDeployment(deployment);
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        this.loop.scheduleAfter(100);
      }
    }
  }

  private owned(deployment: KubeObject): KubeObject[] {
    const uid = deployment.metadata.uid as string;
    return this.store
      .readDependents(uid)
      .filter(
        ({ resourceType, object }) =>
          resourceType === replicaSets &&
          !object.metadata.deletionTimestamp &&
          (object.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller),
      )
      .map(({ object }) => object);
  }

  private syncDeployment(deployment: KubeObject): void {
    if (deployment.metadata.deletionTimestamp) return;
    const spec = deployment.spec ?? {};
    const wanted: number = spec.replicas ?? 1;
    const hash = podTemplateHash(spec.template ?? {});
    const owned = this.owned(deployment);
    const revisions = owned.map((rs) => Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0));
    let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const newRevision = String(Math.max(0, ...revisions) + (current ? 0 : 1));
    let created = false;
    if (!current) {
      current = this.createReplicaSet(deployment, hash, newRevision, wanted);
      created = true;
    } else if ((current.spec?.replicas ?? 0) !== wanted) {
      current = this.scale(current, wanted);
    }
    const old = owned.filter((rs) => rs !== current && rs.metadata.uid !== current?.metadata.uid);
    const currentAvailable = current.status?.availableReplicas ?? 0;
    // Old ReplicaSets go to 0 once the new one carries the load (or at once under Recreate).
    if (currentAvailable >= wanted || spec.strategy?.type === "Recreate") {
      for (const rs of old) if ((rs.spec?.replicas ?? 0) !== 0) this.scale(rs, 0);
    }

    const all = [current, ...old];
    const sum = (field: string) => all.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);
    const replicas = sum("replicas");
    const available = sum("availableReplicas");
    const updated = current.status?.replicas ?? 0;
    const status: Json = {
      ...(deployment.status ?? {}),
      observedGeneration: deployment.metadata.generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: sum("readyReplicas"),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, wanted - available),
    };
    const conditions: Json[] = (deployment.status?.conditions ?? []).map((c: Json) => ({ ...c }));
    // maxUnavailable 25% of N rounds down, so N - floor(N/4) pods must be available.
    const minAvailable = wanted - Math.floor(wanted / 4);
    if (available >= minAvailable) {
      setCondition(conditions, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
    } else {
      setCondition(
        conditions,
        "Available",
        "False",
        "MinimumReplicasUnavailable",
        "Deployment does not have minimum availability.",
      );
    }
    const rsName = current.metadata.name;
    const complete = updated === wanted && replicas === wanted && available === wanted;
    const progressing = conditions.find((c) => c.type === "Progressing");
    if (complete) {
      setCondition(
        conditions,
        "Progressing",
        "True",
        "NewReplicaSetAvailable",
        `ReplicaSet "${rsName}" has successfully progressed.`,
      );
    } else if (created || !progressing || progressing.reason === "NewReplicaSetAvailable") {
      setCondition(
        conditions,
        "Progressing",
        "True",
        created ? "NewReplicaSetCreated" : "ReplicaSetUpdated",
        created ? `Created new replica set "${rsName}"` : `ReplicaSet "${rsName}" is progressing.`,
      );
    } else if (progressing.reason !== "ProgressDeadlineExceeded") {
      const deadline = (spec.progressDeadlineSeconds ?? 600) * 1000;
      const since = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime);
      if (Date.now() - since >= deadline) {
        setCondition(
          conditions,
          "Progressing",
          "False",
          "ProgressDeadlineExceeded",
          `ReplicaSet "${rsName}" has timed out progressing.`,
        );
      } else this.loop.scheduleAfter(since + deadline - Date.now());
    }
    // The new ReplicaSet's ReplicaFailure (pods refused by quota or admission) shows on the Deployment too.
    const replicaFailure = (current.status?.conditions ?? []).find((c: Json) => c.type === "ReplicaFailure");
    const withoutFailure = conditions.filter((c) => c.type !== "ReplicaFailure");
    if (replicaFailure) withoutFailure.push({ ...replicaFailure, lastUpdateTime: replicaFailure.lastTransitionTime });
    status.conditions = withoutFailure;
    if (status.unavailableReplicas === 0) delete status.unavailableReplicas;
    for (const key of ["readyReplicas", "availableReplicas", "updatedReplicas", "replicas"]) {
      if (status[key] === 0) delete status[key];
    }
    const annotations = deployment.metadata.annotations ?? {};
    const revision = current.metadata.annotations?.[revisionAnnotation] ?? newRevision;
    if (annotations[revisionAnnotation] !== revision) {
      this.registry.writeMetadata(deployments, {
        ...deployment,
        metadata: { ...deployment.metadata, annotations: { ...annotations, [revisionAnnotation]: revision } },
      });
    }
    if (!sameJson(status, deployment.status)) this.registry.writeStatus(deployments, { ...deployment, status });
  }

  private createReplicaSet(deployment: KubeObject, hash: string, revision: string, replicas: number): KubeObject {
    const template = structuredClone(deployment.spec?.template ?? {});
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), "pod-template-hash": hash };
    const selector = structuredClone(deployment.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), "pod-template-hash": hash };
    const rs = this.registry.create(replicaSets, deployment.metadata.namespace, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace,
        labels: template.metadata.labels,
        annotations: {
          [revisionAnnotation]: revision,
          "deployment.kubernetes.io/desired-replicas": String(replicas),
        },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
            uid: deployment.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { replicas, selector, template },
    });
    this.registry.recordEvent(
      deployment,
      deployments,
      "Normal",
      "ScalingReplicaSet",
      `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`,
      "deployment-controller",
    );
    return rs;
  }

  private scale(rs: KubeObject, replicas: number): KubeObject {
    const from = rs.spec?.replicas ?? 0;
    const next = this.registry.replace(replicaSets, rs.metadata.namespace, rs.metadata.name as string, {
      ...structuredClone(rs),
      spec: { ...structuredClone(rs.spec), replicas },
    });
    const owner = (rs.metadata.ownerReferences ?? []).find((r) => r.controller);
    const deployment = owner && this.store.get(deployments, rs.metadata.namespace, owner.name);
    if (deployment) {
      this.registry.recordEvent(
        deployment,
        deployments,
        "Normal",
        "ScalingReplicaSet",
        `Scaled ${replicas > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
        "deployment-controller",
      );
    }
    return next;
  }
}
