import { describe, expect, it } from "vitest";
import {
  compareKindVersions,
  isSupportedKindVersion,
  kindDownloadUrl,
  kindPlatformFor,
  lookupKindChecksum,
  parseKindVersion,
} from "./kind-release.ts";

describe("parseKindVersion", () => {
  it("reads what `kind version` prints, old and new", () => {
    expect(parseKindVersion("kind v0.31.0 go1.25.5 linux/amd64\n")).toBe("v0.31.0");
    expect(parseKindVersion("kind v0.32.0-alpha+4a0b1f2c go1.25.5 darwin/arm64")).toBe("v0.32.0-alpha+4a0b1f2c");
    expect(parseKindVersion("kind version 0.8.1")).toBe("v0.8.1");
    expect(parseKindVersion("command not found")).toBeUndefined();
  });
});

describe("isSupportedKindVersion", () => {
  it("accepts the minimum (v0.20.0) and newer by default, older than the pin included", () => {
    expect(isSupportedKindVersion("v0.31.0")).toBe(true);
    expect(isSupportedKindVersion("v0.32.1")).toBe(true);
    expect(isSupportedKindVersion("v0.27.0")).toBe(true);
    expect(isSupportedKindVersion("v0.20.0")).toBe(true);
    expect(isSupportedKindVersion("v0.19.0")).toBe(false);
  });

  it("accepts exactly the listed versions, with or without the v", () => {
    expect(isSupportedKindVersion("v0.29.0", ["0.29.0"])).toBe(true);
    expect(isSupportedKindVersion("v0.31.0", ["v0.29.0"])).toBe(false);
    expect(isSupportedKindVersion("v0.20.0", (version) => version.startsWith("v0.2"))).toBe(true);
  });

  it("orders versions numerically", () => {
    expect(compareKindVersions("v0.10.0", "v0.9.0")).toBeGreaterThan(0);
    expect(compareKindVersions("v1.0.0", "v0.99.0")).toBeGreaterThan(0);
    expect(compareKindVersions("v0.31.0", "0.31.0")).toBe(0);
  });
});

describe("kindPlatformFor and kindDownloadUrl", () => {
  it("maps Node's names to kind's release file names", () => {
    expect(kindPlatformFor("linux", "x64")).toEqual({ platform: "linux", arch: "amd64" });
    expect(kindPlatformFor("darwin", "arm64")).toEqual({ platform: "darwin", arch: "arm64" });
    expect(() => kindPlatformFor("linux", "ppc64")).toThrow(/linux\/ppc64/);
    expect(kindDownloadUrl("v0.31.0", "linux", "arm64")).toBe(
      "https://github.com/kubernetes-sigs/kind/releases/download/v0.31.0/kind-linux-arm64",
    );
    expect(kindDownloadUrl("v0.31.0", "linux", "arm64", "http://127.0.0.1:1/r/")).toBe(
      "http://127.0.0.1:1/r/v0.31.0/kind-linux-arm64",
    );
  });

  it("refuses a table entry that is not a SHA-256", () => {
    expect(() => lookupKindChecksum("v0.31.0", "linux", "amd64", { "v0.31.0": { "linux/amd64": "TODO" } })).toThrow(
      /no SHA-256 is known for kind v0.31.0 linux\/amd64/,
    );
  });
});
