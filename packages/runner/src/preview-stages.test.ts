import { describe, expect, it } from "vitest";
import { previewImagesFromBuild } from "./preview-stages.ts";

describe("previewImagesFromBuild", () => {
  const digest = `sha256:${"b".repeat(64)}`;

  it("names a Dockerfile's image by its path and a bake target's by the target, split at the tag", () => {
    expect(
      previewImagesFromBuild([
        {
          target: "api",
          context: "services/api",
          dockerfile: "services/api/Dockerfile",
          image: "localhost:5001/octo/shop/api:pr-7-abc1234",
          tag: "pr-7-abc1234",
          digest,
          pushed: true,
          durationMs: 900,
        },
        {
          target: "web",
          context: "web",
          dockerfile: "Dockerfile",
          bakeFile: "docker-bake.hcl",
          image: "kind-registry:5000/octo/shop/web:pr-7-abc1234",
          tag: "pr-7-abc1234",
          pushed: true,
          durationMs: 900,
        },
      ]),
    ).toEqual([
      { source: "services/api/Dockerfile", repository: "localhost:5001/octo/shop/api", tag: "pr-7-abc1234", digest },
      { source: "web", repository: "kind-registry:5000/octo/shop/web", tag: "pr-7-abc1234" },
    ]);
  });

  it("leaves out what was built but not pushed: no cluster could pull it", () => {
    expect(
      previewImagesFromBuild([
        { target: "app", context: ".", dockerfile: "Dockerfile", pushed: false, durationMs: 900 },
      ]),
    ).toEqual([]);
  });
});
