// `pr-pod cleanup`: delete what pr-pod made for one PR, one repository, or everything (--all), by
// label, through the runner. Also what a second Ctrl-C tells the user to run.
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
  terminal.endPhase();
  terminal.document({
    apiVersion: "pr-pod.dev/v1",
    kind: "CleanupResult",
    selector: labelSelector,
    namespace,
    deleted,
  });
  if (terminal.mode === "text") {
    if (deleted.length === 0)
      terminal.out(`nothing to clean up for ${selector.description || "pr-pod"} in namespace ${namespace}`);
    for (const object of deleted) terminal.out(`deleted ${object.kind}/${object.name}`);
  }
  return EXIT_CODES.success;
}
