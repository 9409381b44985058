// How the pod script counts a build's cached steps from buildx's plain progress, under busybox's awk
// as in docker:24-git. BuildKit marks a step CACHED, or, when the registry cache is imported and a
// later step needs the layer, loads it lazily: the step then shows only blob transfers and never runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { POD_SCRIPT_SOURCE } from "../src/pod-script.generated.ts";

const start = POD_SCRIPT_SOURCE.indexOf("pr_pod_cache_json() {");
const cacheJson = POD_SCRIPT_SOURCE.slice(start, POD_SCRIPT_SOURCE.indexOf("\n}\n", start) + 3);
const dir = mkdtempSync(join(tmpdir(), "pr-pod-cache-count-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function count(log: string): { steps: number; cachedSteps: number } {
  const file = join(dir, "build.log");
  writeFileSync(file, log);
  const program = `awk() { busybox awk "$@"; }\n${cacheJson}\npr_pod_cache_json "$1"`;
  const out = execFileSync("busybox", ["sh", "-c", program, "count", file], { encoding: "utf8" });
  return JSON.parse(`{${out.slice(1)}}`);
}

describe("pr_pod_cache_json", () => {
  it("counts CACHED steps and steps loaded lazily from the registry cache, not FROM or steps that ran", () => {
    const warm = [
      "#1 [internal] load build definition from Dockerfile",
      "#1 DONE 0.0s",
      "#4 [1/3] FROM 127.0.0.1:5000/base/busybox:1@sha256:81c2",
      "#4 resolve 127.0.0.1:5000/base/busybox:1@sha256:81c2 0.0s done",
      "#4 DONE 0.0s",
      "#5 importing cache manifest from 127.0.0.1:5000/acme/cache/cache:buildcache",
      "#5 DONE 0.0s",
      "#6 [2/3] RUN echo one > /one",
      "#6 CACHED",
      "#7 exporting to image",
      "#8 [3/3] RUN echo two > /two",
      "#8 sha256:91c86c900e268f63c8c5608bb0629517c4101474db69301b251ce366732ce3ed 3.50kB / 3.50kB 0.0s done",
      "#8 sha256:adee3ef9629158c22677f487f14c23e168be1cea6572447e6e7b3dc69196d484 1.06MB / 1.06MB 0.0s done",
      "#8 DONE 0.1s",
      "#7 DONE 0.3s",
    ];
    expect(count(`${warm.join("\n")}\n`)).toEqual({ steps: 3, cachedSteps: 2 });
  });

  it("does not count a pulled base image or a step that ran, with or without output", () => {
    const cold = [
      "#4 [1/3] FROM 127.0.0.1:5000/base/busybox:1@sha256:81c2",
      "#4 sha256:81c2671334fd50bcbb8e1e561031fc858d6deca9d8dac03783703e54f97a4aa9 1.06MB / 1.06MB 0.1s done",
      "#4 DONE 0.1s",
      "#6 [2/3] RUN echo one > /one",
      "#6 DONE 0.1s",
      "#8 [3/3] RUN echo two",
      "#8 0.105 two",
      "#8 DONE 0.1s",
    ];
    expect(count(`${cold.join("\n")}\n`)).toEqual({ steps: 3, cachedSteps: 0 });
  });
});
