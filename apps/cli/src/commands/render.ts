// `pr-pod render`: the run's manifests as YAML (or a v1 List in -o json), no cluster needed: what
// the spike's test-pr-pod.yaml was, ready for `kubectl apply -f -`. The token Secret is never in it;
// the header says how to create it.
// Only the runner's pure part (@pr-pod/runner/pure): render loads no client-node, octokit or preview
// code (apps/cli/test/start-up-modules.test.ts holds it to that).
import { prPodResourceList, renderManifests } from "@pr-pod/k8s-job-builder";
import { buildRunResources, loadRunConfig, mergeRunSettings } from "@pr-pod/runner/pure";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { optionalToken, resolveContextFromFlags } from "../pull-request-context.ts";
import { type PullRequestFlags, pullRequestSourceFromFlags } from "../pull-request-flags.ts";
import { redactorFor, tokensInEnvironment } from "../redaction.ts";
import { type RunFlags, runOptionsFromFlags } from "./run.ts";

type RenderFlags = PullRequestFlags &
  Pick<RunFlags, "image" | "checkout" | "build" | "bake" | "verify" | "timeout" | "config">;

export default async function renderCommand(environment: CommandEnvironment, flags: RenderFlags): Promise<number> {
  const { terminal } = environment;
  const source = pullRequestSourceFromFlags(flags);
  if (source.kind === "local-checkout") throw new Error("unreachable: render has no --source");
  const token = source.kind === "github-api" ? await optionalToken(environment.env) : undefined;
  if (token) terminal.setRedactor(await redactorFor([...tokensInEnvironment(environment.env), token]));
  const context = await resolveContextFromFlags(source, token);
  const loaded = await loadRunConfig({ configFile: flags.config });
  const settings = mergeRunSettings(runOptionsFromFlags(environment, flags), loaded.config, loaded.path);
  // Exactly the objects a run with these settings creates (less the token Secret).
  const resources = buildRunResources(context, settings);
  if (terminal.mode === "json") {
    terminal.document({ apiVersion: "v1", kind: "List", items: prPodResourceList(resources) });
  } else {
    terminal.write(renderManifests(resources));
  }
  return EXIT_CODES.success;
}
