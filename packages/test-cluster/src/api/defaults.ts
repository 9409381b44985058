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
  }
}

/** Pod name suffixes use the same alphabet as apimachinery's rand.String (no vowels, no look-alikes). */
const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

export function generatedName(prefix: string): string {
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += suffixAlphabet[Math.floor(Math.random() * suffixAlphabet.length)];
  return `${prefix.slice(0, 63 - 5)}${suffix}`;
}
