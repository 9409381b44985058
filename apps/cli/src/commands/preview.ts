// `pr-pod preview list|down|expire`: the previews pr-pod deployed (namespaces labelled
// pr-pod.dev/component=preview), deleting one, and deleting those whose keep time has passed.
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";

export interface PreviewFlags {
  repo?: string;
  pr?: number;
}

export async function listPreviewsCommand(environment: CommandEnvironment): Promise<number> {
  const { terminal } = environment;
  const { kubeConfig } = environment.loadKube();
  const { listPreviews } = await import("@pr-pod/preview-deploy");
  const items = await listPreviews(kubeConfig);
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewList", items });
  if (terminal.mode === "text") {
    if (items.length === 0) terminal.out("no previews");
    for (const p of items) {
      terminal.out(
        `${p.namespace}  ${p.repo ?? "?"}#${p.pr ?? "?"}  ${p.expiresAt ? `kept until ${p.expiresAt}` : "not kept"}`,
      );
    }
  }
  return EXIT_CODES.success;
}

export async function previewDownCommand(
  environment: CommandEnvironment,
  flags: PreviewFlags,
  args: string[],
): Promise<number> {
  const { terminal } = environment;
  const { previewNamespaceName } = await import("@pr-pod/preview-deploy");
  const namespace =
    args[0] ?? (flags.repo && flags.pr !== undefined ? previewNamespaceName({ repo: flags.repo, pr: flags.pr }) : "");
  if (!namespace) {
    throw new CliError("USAGE", "pr-pod preview down needs the preview to delete", {
      fix: "name its namespace (pr-pod preview list shows them), or give --repo owner/name --pr N",
    });
  }
  const { kubeConfig } = environment.loadKube();
  const { deletePreview } = await import("@pr-pod/preview-deploy");
  terminal.phase(`deleting preview namespace ${namespace}`);
  await deletePreview(kubeConfig, namespace);
  terminal.endPhase();
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewDeleted", namespace });
  if (terminal.mode === "text") terminal.out(`deleted preview ${namespace}`);
  return EXIT_CODES.success;
}

export async function expirePreviewsCommand(environment: CommandEnvironment): Promise<number> {
  const { terminal } = environment;
  const { kubeConfig } = environment.loadKube();
  const { cleanupExpiredPreviews } = await import("@pr-pod/preview-deploy");
  terminal.phase("deleting previews whose keep time has passed");
  const deleted = await cleanupExpiredPreviews(kubeConfig);
  terminal.endPhase();
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "PreviewsExpired", deleted });
  if (terminal.mode === "text") {
    terminal.out(deleted.length ? deleted.map((n) => `deleted preview ${n}`).join("\n") : "no preview has expired");
  }
  return EXIT_CODES.success;
}
