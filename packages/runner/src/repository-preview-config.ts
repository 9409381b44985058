// The `preview` section of the pull request's own config file, for a run that has no config file of
// its own (the webhook service: one service, many repositories, each saying how its previews deploy).
// It is read at the commit the pod built, fetched once for it and the chart folders (preview-chart-source:
// a partial clone of that commit, the token only through a credential helper), and only `preview` is
// taken from it: the repository decides what its preview deploys, the service decides everything
// about the run (image, token, limits), as with the action's checkout.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BuiltCommit } from "./preview-chart-source.ts";
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
 * Reads the first of `pr-pod.config.{json,yaml,yml}` at the commit the pod built (fetched by the caller,
 * which reads the charts from the same folder afterwards) and returns its `preview` section. A commit
 * without the file has no preview; a file that does not validate throws RunnerError INVALID_CONFIG
 * naming `owner/repo@sha/file` and the key, as a local config file does.
 */
export async function readRepositoryPreviewConfig(commit: BuiltCommit, repo: string): Promise<RepositoryPreviewConfig> {
  const present = await commit.present([...CONFIG_FILE_NAMES]);
  const file = CONFIG_FILE_NAMES.find((name) => present.includes(name));
  if (!file) return { revision: commit.revision };
  await commit.checkOut([file], []);
  const text = await readFile(path.join(commit.dir, file), "utf8");
  const config = parseRunConfig(text, `${repo}@${commit.revision.slice(0, 12)}/${file}`);
  return { ...(config.preview ? { preview: config.preview } : {}), file, revision: commit.revision };
}
