// The images a run built, as the next stage (a Helm deploy, a job summary) wants them: one typed row per
// image, read from the pod's report. Pure.
import type { PrPodReport } from "./pr-pod-report.ts";

export interface BuiltImage {
  /** Bake/compose target, or for a Dockerfile its folder (the repository's name at the root). */
  target: string;
  /** Build context, relative to the repository root. */
  context: string;
  /** The Dockerfile, relative to the repository root (for bake targets: relative to the context). */
  dockerfile: string;
  /** The bake or compose file, for bake targets. */
  bakeFile?: string;
  /** `<registry>/<owner>/<repo>/<target>:<tag>`, when pushed. */
  image?: string;
  tag?: string;
  /** The registry's manifest digest (`sha256:…`). */
  digest?: string;
  /** `<image name>@<digest>`: the reference to deploy, immune to the tag moving. */
  ref?: string;
  pushed: boolean;
  steps?: number;
  cachedSteps?: number;
  durationMs: number;
}

/** Every successful build of the report, in build order (failed ones are in `report.builds` with their error). */
export function builtImages(report: PrPodReport): BuiltImage[] {
  return (report.builds ?? [])
    .filter((build) => build.ok)
    .map((build) => {
      const bake = build.kind === "bake";
      const image: BuiltImage = {
        target: build.target ?? build.context ?? ".",
        context: build.context ?? ".",
        dockerfile: bake ? (build.dockerfile ?? "Dockerfile") : build.file,
        pushed: build.pushed ?? false,
        durationMs: build.durationMs,
      };
      if (bake) image.bakeFile = build.file;
      if (build.image) image.image = build.image;
      if (build.tag) image.tag = build.tag;
      if (build.digest) image.digest = build.digest;
      if (build.ref) image.ref = build.ref;
      if (build.steps !== undefined) image.steps = build.steps;
      if (build.cachedSteps !== undefined) image.cachedSteps = build.cachedSteps;
      return image;
    });
}
