// The objects of one run, from the PR context and the settings: k8s-job-builder's resources plus
// pat-secret's token Secret, in the order the runner creates them. Pure. `buildRunResources` is the one
// mapping from run settings to the job builder's options, shared by runs and by `pr-pod render`.
import type { V1PolicyRule, V1ResourceRequirements } from "@kubernetes/client-node";
import {
  buildPrPodResources,
  type LocalChanges,
  type PrPodResourceOptions,
  type PrPodResources,
} from "@pr-pod/k8s-job-builder";
import { buildTokenSecret } from "@pr-pod/pat-secret/pure";
import type { PullRequestContext } from "@pr-pod/pr-context";
import type { RunObjectsPlan } from "./create-run-objects.ts";
import type { RunSettings } from "./run-settings.ts";
import { RunnerError } from "./runner-error.ts";

export interface BuiltRunObjects {
  plan: RunObjectsPlan;
  /** The rules of the Role the pod gets (creating it needs them too, so they join the permission check). */
  roleRules: V1PolicyRule[];
  jobName: string;
}

export interface BuildRunResourcesOptions {
  /** The run has a token Secret the pod reads. Default true. */
  withToken?: boolean;
  /** `run --source`: unpushed commits and uncommitted changes, carried in a ConfigMap. */
  localChanges?: LocalChanges;
}

/**
 * The run's Kubernetes objects (without the token Secret) exactly as a run creates them: the settings
 * (from mergeRunSettings) mapped onto k8s-job-builder's options. Bad values throw INVALID_INPUT.
 */
export function buildRunResources(
  context: PullRequestContext,
  settings: RunSettings,
  options: BuildRunResourcesOptions = {},
): PrPodResources {
  const resourceOptions: PrPodResourceOptions = {
    namespace: settings.namespace,
    image: settings.image,
    checkout: settings.checkout,
    ...(settings.pinBaseSha ? { pinBaseSha: true } : {}),
    build: settings.build,
    bake: settings.bake,
    builder: settings.buildx,
    ...(settings.registry ? { registry: settings.registry } : {}),
    withToken: options.withToken ?? true,
    activeDeadlineSeconds: settings.timeoutSeconds,
  };
  if (settings.verify) resourceOptions.verify = settings.verify;
  if (settings.resources) resourceOptions.resources = settings.resources as V1ResourceRequirements;
  if (options.localChanges) resourceOptions.localChanges = options.localChanges;
  try {
    return buildPrPodResources(context, resourceOptions);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      code === "INVALID_JOB_OPTIONS" ||
      code === "LOCAL_CHANGES_TOO_LARGE" ||
      (error as Error).name === "FileSpecError"
    ) {
      throw new RunnerError("INVALID_INPUT", (error as Error).message, { cause: error });
    }
    throw error;
  }
}

/** `token` undefined: the pod clones without one (forks without allowForkToken). */
export function buildRunObjects(
  context: PullRequestContext,
  settings: RunSettings,
  token: string | undefined,
  localChanges?: LocalChanges,
): BuiltRunObjects {
  const resources = buildRunResources(context, settings, {
    withToken: token !== undefined,
    ...(localChanges ? { localChanges } : {}),
  });
  const dependents: RunObjectsPlan["dependents"] = [];
  if (token !== undefined)
    dependents.push({ kind: "Secret", object: buildTokenSecret(context, token, { namespace: settings.namespace }) });
  if (resources.localChanges) dependents.push({ kind: "ConfigMap", object: resources.localChanges });
  dependents.push({ kind: "ServiceAccount", object: resources.serviceAccount });
  if (resources.role) dependents.push({ kind: "Role", object: resources.role });
  if (resources.roleBinding) dependents.push({ kind: "RoleBinding", object: resources.roleBinding });
  return { plan: { job: resources.job, dependents }, roleRules: resources.role?.rules ?? [], jobName: resources.name };
}
