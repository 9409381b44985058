// `pr-pod cleanup`: delete what pr-pod made for one PR, one repository, or everything (--all), by
// label, through the runner. Also what a second Ctrl-C tells the user to run.
import type { KubeConfig } from "@kubernetes/client-node";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { cleanupSelector, type SelectorFlags } from "../run-selector.ts";
import { loadRunner } from "../runner-module.ts";

export default async function cleanupCommand(environment: CommandEnvironment, flags: SelectorFlags): Promise<number> {
  const { terminal, globals } = environment;
  const selector = cleanupSelector(flags, { allowEverything: false });
  const { kubeConfig } = environment.loadKube();
  const runner = await loadRunner();
  const namespace = globals.namespace ?? "default";
  const { prPodSelector } = await import("@pr-pod/pr-context");
  const labelSelector = prPodSelector(selector.filter);
  terminal.phase(`deleting pr-pod objects for ${selector.description || "every run"} in namespace ${namespace}`);
  const deleted = await runner.cleanupPrPods(kubeConfig, { namespace, selector: selector.filter });
  const expiredPreviews = await deleteExpiredPreviews(environment, kubeConfig, runner.httpStatusOf);
  terminal.endPhase();
  terminal.document({
    apiVersion: "pr-pod.dev/v1",
    kind: "CleanupResult",
    selector: labelSelector,
    namespace,
    deleted,
    expiredPreviews,
  });
  if (terminal.mode === "text") {
    if (deleted.length === 0)
      terminal.out(`nothing to clean up for ${selector.description || "pr-pod"} in namespace ${namespace}`);
    for (const object of deleted) terminal.out(`deleted ${object.kind}/${object.name}`);
    for (const preview of expiredPreviews) terminal.out(`deleted preview ${preview} (its keep time had passed)`);
  }
  return EXIT_CODES.success;
}

/**
 * Previews kept with `run --keep-preview` carry their expiry; cleanup honours it, as `preview expire`
 * does. Listing namespaces is cluster-wide: a user who may not gets a warning, not a failed cleanup.
 */
async function deleteExpiredPreviews(
  environment: CommandEnvironment,
  kubeConfig: KubeConfig,
  httpStatusOf: (error: unknown) => number | undefined,
): Promise<string[]> {
  const { cleanupExpiredPreviews } = await import("@pr-pod/preview-deploy");
  try {
    return await cleanupExpiredPreviews(kubeConfig);
  } catch (error) {
    if (httpStatusOf(error) !== 403) throw error;
    environment.terminal.warn(
      "expired previews not checked: this user may not list namespaces (run pr-pod preview expire with a user who may)",
    );
    return [];
  }
}
