// The `preview` section of the pull request's own config file, for a run that has no config file of
// its own (the webhook service: one service, many repositories, each saying how its previews deploy).
// It is read at the commit the pod built, fetched the way the chart folders are (preview-chart-source:
// a partial clone of that commit, the token only through a credential helper), and only `preview` is
// taken from it: the repository decides what its preview deploys, the service decides everything
// about the run (image, token, limits), as with the action's checkout.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fetchPreviewChartSource, type PreviewChartSourceOptions } from "./preview-chart-source.ts";
import type { PreviewConfig } from "./preview-config.ts";
import { CONFIG_FILE_NAMES, parseRunConfig } from "./run-config.ts";

export interface RepositoryPreviewConfig {
  /** The section, when the commit has a config file with one. */
  preview?: PreviewConfig;
  /** The config file read (its name at the repository root), when there was one. */
  file?: string;
  /** The commit (or, with checkout merge, the merged tree) it was read at. */
  revision: string;
}

/**
 * Reads the first of `pr-pod.config.{json,yaml,yml}` at the commit the pod built and returns its
 * `preview` section. A commit without the file has no preview; a file that does not validate throws
 * RunnerError INVALID_CONFIG naming `owner/repo@sha/file` and the key, as a local config file does.
 */
export async function fetchRepositoryPreviewConfig(
  options: Omit<PreviewChartSourceOptions, "paths" | "chartPaths" | "optionalPaths"> & { repo: string },
): Promise<RepositoryPreviewConfig> {
  const { repo, ...fetchOptions } = options;
  const source = await fetchPreviewChartSource({
    ...fetchOptions,
    paths: [],
    chartPaths: [],
    optionalPaths: [...CONFIG_FILE_NAMES],
  });
  try {
    const file = CONFIG_FILE_NAMES.find((name) => source.presentOptionalPaths.includes(name));
    if (!file) return { revision: source.revision };
    const text = await readFile(path.join(source.dir, file), "utf8");
    const config = parseRunConfig(text, `${repo}@${source.revision.slice(0, 12)}/${file}`);
    return { ...(config.preview ? { preview: config.preview } : {}), file, revision: source.revision };
  } finally {
    await source.dispose();
  }
}
