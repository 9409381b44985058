// Multi-document YAML of a run's objects, for `kubectl apply -f` or a reviewer's eyes. The token Secret is never
// in it: the header says how to create it from your own shell.
import { stringify } from "yaml";
import { type PrPodResources, prPodResourceList } from "./pr-pod-resources.ts";

export interface RenderManifestsOptions {
  /** Leave out the comment header. Default false. */
  noHeader?: boolean;
}

function header(resources: PrPodResources): string {
  const job = resources.job;
  const labels = job.metadata?.labels ?? {};
  const lines = [
    `pr-pod run ${resources.name} for ${labels["pr-pod.dev/owner"] ?? "?"}/${labels["pr-pod.dev/repo"] ?? "?"}#${labels["pr-pod.dev/pr"] ?? "?"} at ${labels["pr-pod.dev/head-sha"] ?? "?"}`,
  ];
  if (resources.tokenSecretName) {
    lines.push(
      `The Job reads the GitHub token from Secret ${resources.tokenSecretName} (key "token"), which is NOT in this file.`,
      "Create it first, from your shell (stdin keeps the token out of argv and shell history):",
      `  printf %s "$GITHUB_PAT" | kubectl -n ${resources.namespace} create secret generic ${resources.tokenSecretName} --from-file=token=/dev/stdin`,
    );
  } else {
    lines.push("No token: the Job clones anonymously.");
  }
  lines.push(
    `Then: kubectl apply -f <this file>; delete everything with: kubectl -n ${resources.namespace} delete job,sa,role,rolebinding,secret -l app.kubernetes.io/instance=${resources.name}`,
  );
  return `${lines.map((line) => `# ${line}`).join("\n")}\n`;
}

/** `---`-separated YAML documents in creation order; parses back to the same objects. */
export function renderManifests(resources: PrPodResources, options: RenderManifestsOptions = {}): string {
  const documents = prPodResourceList(resources).map((object) =>
    stringify(object, { lineWidth: 0, blockQuote: "literal", aliasDuplicateObjects: false }),
  );
  return `${options.noHeader ? "" : header(resources)}---\n${documents.join("---\n")}`;
}
