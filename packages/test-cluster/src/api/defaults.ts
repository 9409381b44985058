// Defaulting the API server applies on create, per kind (what `kubectl get -o yaml` shows back).
import { randomUUID } from "node:crypto";
import type { Json, KubeObject } from "../json.ts";

function defaultContainer(c: Json): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  const image = String(c.image ?? "");
  const tagged = /:[^/]+$/.test(image.split("@")[0] ?? "") && !image.endsWith(":latest");
  c.imagePullPolicy ??= tagged || image.includes("@") ? "IfNotPresent" : "Always";
  c.resources ??= {};
}

export function defaultPodSpec(spec: Json, restartPolicy: string): void {
  spec.restartPolicy ??= restartPolicy;
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? "default";
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  spec.priority ??= 0;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
  }
}

/** batch/v1 Job defaults, including the generated selector and the labels pods get. */
function defaultJob(job: KubeObject): void {
  job.spec ??= {};
  const spec = job.spec;
  spec.parallelism ??= 1;
  spec.completions ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= undefined;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  const uid = job.metadata.uid as string;
  spec.template ??= {};
  const template = spec.template;
  template.metadata ??= {};
  const jobLabels = {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": job.metadata.name as string,
    "controller-uid": uid,
    "job-name": job.metadata.name as string,
  };
  if (!spec.manualSelector) {
    template.metadata.labels = { ...(template.metadata.labels ?? {}), ...jobLabels };
    spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  }
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) {
    job.metadata.labels = { ...template.metadata.labels };
  }
  if (template.spec) defaultPodSpec(template.spec, "Always");
  if (spec.manualSelector === undefined) delete spec.manualSelector;
}

/** apps/v1 Deployment and ReplicaSet defaults (what `kubectl get deploy -o yaml` shows back). */
function defaultWorkload(object: KubeObject, kind: "Deployment" | "ReplicaSet"): void {
  object.spec ??= {};
  const spec = object.spec;
  spec.replicas ??= 1;
  if (kind === "Deployment") {
    spec.strategy ??= { type: "RollingUpdate" };
    if (spec.strategy.type === "RollingUpdate") {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxSurge ??= "25%";
      spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
  }
  spec.template ??= {};
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec, "Always");
}

// A ClusterIP from 10.96.0.0/12 (kind's default service range), counted up; nothing routes to it.
let nextClusterIp = 10;
function defaultService(service: KubeObject): void {
  service.spec ??= {};
  const spec = service.spec;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  if (spec.clusterIP !== "None") {
    nextClusterIp += 1;
    spec.clusterIP ??= `10.96.${Math.floor(nextClusterIp / 250)}.${nextClusterIp % 250}`;
    spec.clusterIPs ??= [spec.clusterIP];
  }
  spec.ipFamilies ??= ["IPv4"];
  spec.ipFamilyPolicy ??= "SingleStack";
  spec.internalTrafficPolicy ??= "Cluster";
  for (const port of spec.ports ?? []) {
    port.protocol ??= "TCP";
    port.targetPort ??= port.port;
  }
  service.status = { loadBalancer: {} };
}

/** Fills the metadata every object gets on create, then the kind's own defaults. */
export function applyCreateDefaults(resource: string, object: KubeObject, now: string): void {
  object.metadata.uid = randomUUID();
  object.metadata.creationTimestamp = now;
  object.metadata.generation = 1;
  delete object.metadata.deletionTimestamp;
  delete object.metadata.deletionGracePeriodSeconds;
  switch (resource) {
    case "pods":
      object.spec ??= {};
      defaultPodSpec(object.spec, "Always");
      object.status = { phase: "Pending", qosClass: "BestEffort" };
      break;
    case "jobs":
      defaultJob(object);
      object.status = {};
      break;
    case "namespaces":
      object.metadata.labels = {
        ...(object.metadata.labels ?? {}),
        "kubernetes.io/metadata.name": object.metadata.name as string,
      };
      object.spec = { finalizers: ["kubernetes"] };
      object.status = { phase: "Active" };
      break;
    case "secrets":
      object.type ??= "Opaque";
      break;
    case "deployments":
      defaultWorkload(object, "Deployment");
      object.status = {};
      break;
    case "replicasets":
      defaultWorkload(object, "ReplicaSet");
      object.status = { replicas: 0 };
      break;
    case "services":
      defaultService(object);
      break;
    case "resourcequotas":
      object.status = {};
      break;
  }
}

/** Pod name suffixes use the same alphabet as apimachinery's rand.String (no vowels, no look-alikes). */
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

export function generatedName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[Math.floor(Math.random() * suffixAlphabet.length)];
  return `${prefix.slice(0, 63 - 5)}${suffix}`;
}
