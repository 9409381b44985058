// The objects of one run, from the PR context and the settings: k8s-job-builder's resources plus
// pat-secret's token Secret, in the order the runner creates them. Pure.
import type { V1PolicyRule, V1ResourceRequirements } from "@kubernetes/client-node";
import { buildPrPodResources, type PrPodResourceOptions } from "@pr-pod/k8s-job-builder";
import { buildTokenSecret } from "@pr-pod/pat-secret";
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

/** `token` undefined: the pod clones without one (forks without allowForkToken). */
export function buildRunObjects(
  context: PullRequestContext,
  settings: RunSettings,
  token: string | undefined,
): BuiltRunObjects {
  const options: PrPodResourceOptions = {
    namespace: settings.namespace,
    image: settings.image,
    checkout: settings.checkout,
    build: settings.build,
    bake: settings.bake,
    builder: settings.buildx,
    withToken: token !== undefined,
    activeDeadlineSeconds: settings.timeoutSeconds,
  };
  if (settings.verify) options.verify = settings.verify;
  if (settings.resources) options.resources = settings.resources as V1ResourceRequirements;
  let resources: ReturnType<typeof buildPrPodResources>;
  try {
    resources = buildPrPodResources(context, options);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "INVALID_JOB_OPTIONS" || (error as Error).name === "FileSpecError") {
      throw new RunnerError("INVALID_INPUT", (error as Error).message, { cause: error });
    }
    throw error;
  }
  const dependents: RunObjectsPlan["dependents"] = [];
  if (token !== undefined)
    dependents.push({ kind: "Secret", object: buildTokenSecret(context, token, { namespace: settings.namespace }) });
  dependents.push({ kind: "ServiceAccount", object: resources.serviceAccount });
  if (resources.role) dependents.push({ kind: "Role", object: resources.role });
  if (resources.roleBinding) dependents.push({ kind: "RoleBinding", object: resources.roleBinding });
  return { plan: { job: resources.job, dependents }, roleRules: resources.role?.rules ?? [], jobName: resources.name };
}
