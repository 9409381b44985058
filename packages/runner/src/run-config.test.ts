import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRunConfig, parseRunConfig } from "./run-config.ts";
import { mergeRunSettings } from "./run-settings.ts";
import { RunnerError } from "./runner-error.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "runner-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadRunConfig", () => {
  it("reads pr-pod.config.yaml from the folder it searches", async () => {
    await writeFile(
      path.join(dir, "pr-pod.config.yaml"),
      "image: docker:25-git\nverify: [package.json]\nbuildx:\n  replicas: 2\n  requests: { cpu: 500m }\nresources:\n  limits: { memory: 2Gi }\n",
    );
    const loaded = await loadRunConfig({ searchDirs: [dir] });
    expect(loaded.path).toBe(path.join(dir, "pr-pod.config.yaml"));
    expect(loaded.config).toEqual({
      image: "docker:25-git",
      verify: ["package.json"],
      buildx: { replicas: 2, requests: { cpu: "500m" } },
      resources: { limits: { memory: "2Gi" } },
    });
  });

  it("prefers pr-pod.config.json and finds nothing when there is no file", async () => {
    expect(await loadRunConfig({ searchDirs: [dir] })).toEqual({ config: {} });
    await writeFile(path.join(dir, "pr-pod.config.json"), JSON.stringify({ namespace: "ci", keep: true }));
    await writeFile(path.join(dir, "pr-pod.config.yaml"), "namespace: other\n");
    expect((await loadRunConfig({ searchDirs: [dir] })).config).toEqual({ namespace: "ci", keep: true });
  });

  it("says CONFIG_NOT_FOUND with the path when an explicit file is missing", async () => {
    const missing = path.join(dir, "nope.yaml");
    await expect(loadRunConfig({ configFile: missing })).rejects.toMatchObject({
      code: "CONFIG_NOT_FOUND",
      message: expect.stringContaining(missing),
    });
  });
});

describe("parseRunConfig", () => {
  it("names the file and key of a wrong type", () => {
    const error = (() => {
      try {
        parseRunConfig("timeoutSeconds: soon\n", "/repo/pr-pod.config.yaml");
      } catch (caught) {
        return caught as RunnerError;
      }
    })();
    expect(error).toBeInstanceOf(RunnerError);
    expect(error?.code).toBe("INVALID_CONFIG");
    expect(error?.message).toBe('/repo/pr-pod.config.yaml: timeoutSeconds must be a whole number above 0, got "soon"');
  });

  it("refuses unknown keys so a typo cannot be silently ignored", () => {
    expect(() => parseRunConfig('{"imgae": "x"}', "c.json")).toThrow(
      /unknown key "imgae": the keys are image, namespace/,
    );
  });

  it("says which syntax is broken", () => {
    expect(() => parseRunConfig("{", "c.json")).toThrow(/c.json is not valid JSON/);
  });
});

describe("mergeRunSettings", () => {
  it("takes options over the config file over defaults", () => {
    const settings = mergeRunSettings(
      { image: "flag:1", buildx: { replicas: 2 } },
      { image: "file:1", namespace: "ci", build: false, buildx: { replicas: 1, rootless: true } },
    );
    expect(settings).toMatchObject({
      image: "flag:1",
      namespace: "ci",
      build: false,
      bake: false,
      checkout: "head",
      keep: false,
      timeoutSeconds: 1800,
      buildx: { replicas: 2, rootless: true },
    });
    expect(settings.verify).toBeUndefined();
  });

  it("rejects a namespace Kubernetes would refuse, naming it", () => {
    expect(() => mergeRunSettings({ namespace: "My_NS" }, {})).toThrow(
      /namespace "My_NS" is not a valid Kubernetes namespace name/,
    );
  });
});

describe("report.github", () => {
  const file = "pr-pod.config.yaml";

  it("is off unless the options or the config file's enabled turn it on", () => {
    const config = parseRunConfig("report:\n  github: { context: pr-pod/build, comment: true }\n", file);
    expect(mergeRunSettings({}, config).report).toBeUndefined();
    expect(mergeRunSettings({ report: { github: true } }, config).report).toEqual({
      github: { context: "pr-pod/build", comment: true },
    });
    const enabled = parseRunConfig("report:\n  github: { enabled: true, targetUrl: https://ci.example/runs }\n", file);
    expect(mergeRunSettings({}, enabled).report).toEqual({ github: { targetUrl: "https://ci.example/runs" } });
  });

  it("lets the options win over the file, and github: false turn the file's report off", () => {
    const config = parseRunConfig("report:\n  github: { enabled: true, context: from-file }\n", file);
    expect(mergeRunSettings({ report: { github: { context: "from-flag" } } }, config).report?.github?.context).toBe(
      "from-flag",
    );
    expect(mergeRunSettings({ report: { github: false } }, config).report).toBeUndefined();
  });

  it("names the key of a wrong value, and has no place for credentials", () => {
    expect(() => parseRunConfig("report:\n  github: { checkRun: always }\n", file)).toThrow(
      'pr-pod.config.yaml: report.github.checkRun must be "auto" or "never", got "always"',
    );
    expect(() => parseRunConfig("report:\n  github: { targetUrl: ci.example }\n", file)).toThrow(
      /report.github.targetUrl must be an http\(s\) URL/,
    );
    expect(() => parseRunConfig("report:\n  github: { token: ghp_x }\n", file)).toThrow(
      /report.github has an unknown key "token"/,
    );
  });
});
