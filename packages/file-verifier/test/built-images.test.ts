import { describe, expect, it } from "vitest";
import { builtImages, type PrPodReport } from "../src/index.ts";

const report = (builds: PrPodReport["builds"]): PrPodReport =>
  ({ version: 1, ok: true, exitCode: 0, stage: "done", builds, durationsMs: { total: 1 } }) as PrPodReport;

describe("builtImages", () => {
  it("gives one row per successful build with target, context, Dockerfile, image, tag, digest and ref", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(
      builtImages(
        report([
          {
            kind: "dockerfile",
            target: "services-api",
            file: "services/api/Dockerfile",
            context: "services/api",
            ok: true,
            pushed: true,
            image: "r:5000/o/r/services-api:pr-1-abcdef0",
            tag: "pr-1-abcdef0",
            digest,
            ref: `r:5000/o/r/services-api@${digest}`,
            steps: 3,
            cachedSteps: 2,
            durationMs: 10,
          },
          {
            kind: "dockerfile",
            target: "broken",
            file: "Dockerfile",
            context: ".",
            ok: false,
            error: "x",
            durationMs: 1,
          },
          {
            kind: "bake",
            target: "worker",
            file: "docker-bake.hcl",
            context: "worker",
            dockerfile: "w.Dockerfile",
            ok: true,
            pushed: false,
            durationMs: 5,
          },
        ]),
      ),
    ).toEqual([
      {
        target: "services-api",
        context: "services/api",
        dockerfile: "services/api/Dockerfile",
        image: "r:5000/o/r/services-api:pr-1-abcdef0",
        tag: "pr-1-abcdef0",
        digest,
        ref: `r:5000/o/r/services-api@${digest}`,
        pushed: true,
        steps: 3,
        cachedSteps: 2,
        durationMs: 10,
      },
      {
        target: "worker",
        context: "worker",
        dockerfile: "w.Dockerfile",
        bakeFile: "docker-bake.hcl",
        pushed: false,
        durationMs: 5,
      },
    ]);
  });

  it("is empty without builds", () => {
    expect(builtImages(report(undefined))).toEqual([]);
  });
});
