// What the pod found to build, as a person reads it: counts by kind ("3 Dockerfiles, 1 Helm chart") and
// the paths themselves, at most `max` of them, so a repository with hundreds of Dockerfiles still gives
// a short verdict. The CLI's text mode and the action's job summary both show this; -o json and the
// action's outputs keep every path.
import type { DetectedArtifacts } from "./pr-pod-report.ts";

export type ArtifactKind = "Dockerfile" | "bake file" | "compose file" | "Helm chart";

export interface ArtifactListing {
  /** "3 Dockerfiles, 1 Helm chart", or "none found". */
  summary: string;
  /** The first `max` paths, in kind order (Dockerfiles, bake files, compose files, charts). */
  shown: Array<{ kind: ArtifactKind; path: string }>;
  /** How many paths were left out of `shown`. */
  omitted: number;
  total: number;
}

/** Default bound on the paths listed. */
export const ARTIFACT_LIST_LIMIT = 20;

const KINDS: ReadonlyArray<[keyof DetectedArtifacts, ArtifactKind, string]> = [
  ["dockerfiles", "Dockerfile", "Dockerfiles"],
  ["bakeFiles", "bake file", "bake files"],
  ["composeFiles", "compose file", "compose files"],
  ["charts", "Helm chart", "Helm charts"],
];

export function listArtifacts(artifacts: DetectedArtifacts, options: { max?: number } = {}): ArtifactListing {
  const max = Math.max(0, options.max ?? ARTIFACT_LIST_LIMIT);
  const all = KINDS.flatMap(([field, kind]) => (artifacts[field] ?? []).map((path) => ({ kind, path })));
  const counts = KINDS.flatMap(([field, one, many]) => {
    const count = (artifacts[field] ?? []).length;
    return count === 0 ? [] : [`${count} ${count === 1 ? one : many}`];
  });
  const shown = all.slice(0, max);
  return {
    summary: counts.length > 0 ? counts.join(", ") : "none found",
    shown,
    omitted: all.length - shown.length,
    total: all.length,
  };
}
