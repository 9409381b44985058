import { createHash } from "node:crypto";
import { once } from "node:events";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ensureKind,
  fetchDownload,
  findKind,
  installKind,
  KIND_CHECKSUMS,
  KindClusterError,
  type KindDownload,
  type KindLogger,
  lookupKindChecksum,
} from "../src/index.ts";

const servedKind = "#!/bin/sh\necho 'kind v0.31.0 go1.25.5 linux/amd64'\n";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const goodChecksums = { "v0.31.0": { "linux/amd64": sha256(servedKind) } };
const badChecksums = { "v0.31.0": { "linux/amd64": sha256("some other binary") } };

let folder: string;
let cacheDir: string;
let server: Server;
let baseUrl: string;
let requests: string[];
/** Called for /slow/*: the test decides what happens to the response. */
let onSlowRequest: (response: import("node:http").ServerResponse) => void;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "kind-install-"));
  cacheDir = join(folder, "cache");
  requests = [];
  onSlowRequest = (response) => response.end();
  server = createServer((request, response) => {
    requests.push(request.url ?? "");
    if (request.url === "/releases/v0.31.0/kind-linux-amd64") {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(servedKind);
    } else if (request.url?.startsWith("/redirected/")) {
      response.writeHead(302, { location: request.url.replace("/redirected/", "/releases/") });
      response.end();
    } else if (request.url?.startsWith("/slow/")) {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.write("#!/bin/sh\n");
      onSlowRequest(response);
    } else {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Not Found");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  server.close();
  await rm(folder, { recursive: true, force: true });
});

async function filesUnder(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory, { recursive: true })).map(String);
  } catch {
    return [];
  }
}

const linuxAmd64 = { platform: "linux", arch: "x64" } as const;

describe("installKind", () => {
  it("downloads the release binary into the cache, verified and executable, and reuses it on the second call", async () => {
    const first = await installKind({
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/releases`,
      checksums: goodChecksums,
      ...linuxAmd64,
    });
    const second = await installKind({
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/releases`,
      checksums: goodChecksums,
      ...linuxAmd64,
    });

    const expectedPath = join(cacheDir, "kind", "v0.31.0", "linux-amd64", "kind");
    expect(first).toEqual({ path: expectedPath, version: "v0.31.0", fromCache: false, sha256: sha256(servedKind) });
    expect(second).toEqual({ ...first, fromCache: true });
    expect(requests).toEqual(["/releases/v0.31.0/kind-linux-amd64"]);
    expect(await readFile(expectedPath, "utf8")).toBe(servedKind);
    expect((await stat(expectedPath)).mode & 0o111).toBe(0o111);
    expect(await filesUnder(cacheDir)).toEqual(
      expect.arrayContaining([join("kind", "v0.31.0", "linux-amd64", "kind")]),
    );
    expect((await filesUnder(cacheDir)).some((file) => file.includes("download"))).toBe(false);
  });

  it("follows the redirect GitHub answers release downloads with", async () => {
    const installed = await installKind({
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/redirected`,
      checksums: goodChecksums,
      ...linuxAmd64,
    });

    expect(installed.fromCache).toBe(false);
    expect(requests).toEqual(["/redirected/v0.31.0/kind-linux-amd64", "/releases/v0.31.0/kind-linux-amd64"]);
  });

  it("rejects a binary with the wrong checksum, naming expected and actual, and leaves nothing in the cache", async () => {
    const error = await installKind({
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/releases`,
      checksums: badChecksums,
      ...linuxAmd64,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KindClusterError);
    expect(error).toMatchObject({ code: "CHECKSUM_MISMATCH" });
    expect((error as Error).message).toContain(`has SHA-256 ${sha256(servedKind)}`);
    expect((error as Error).message).toContain(`expected ${sha256("some other binary")}`);
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it("downloads again when the cached binary no longer matches its checksum", async () => {
    const options = {
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/releases`,
      checksums: goodChecksums,
      ...linuxAmd64,
    };
    const installed = await installKind(options);
    await writeFile(installed.path, "tampered");
    const warnings: string[] = [];

    const again = await installKind({ ...options, logger: { info: () => {}, warn: (line) => warnings.push(line) } });

    expect(again.fromCache).toBe(false);
    expect(await readFile(again.path, "utf8")).toBe(servedKind);
    expect(requests).toHaveLength(2);
    expect(warnings[0]).toContain(`not ${sha256(servedKind)}`);
  });

  it("reports a failed download with the URL and the HTTP status, and leaves nothing in the cache", async () => {
    const error = await installKind({
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/missing`,
      checksums: goodChecksums,
      ...linuxAmd64,
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED" });
    expect((error as Error).message).toContain(`${baseUrl}/missing/v0.31.0/kind-linux-amd64`);
    expect((error as Error).message).toContain("404");
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it("uses the package's own checksum table by default and downloads nothing for a version it lacks", async () => {
    let downloads = 0;

    const error = await installKind({
      version: "v0.1.0",
      cacheDir,
      download: async () => {
        downloads++;
      },
      ...linuxAmd64,
    }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: "CHECKSUM_UNKNOWN", message: expect.stringContaining("v0.31.0") });
    expect(downloads).toBe(0);
  });

  it("asks for the pinned release's URL and checks it against the published checksum", async () => {
    const asked: string[] = [];

    const error = await installKind({
      cacheDir,
      platform: "darwin",
      arch: "arm64",
      download: async (url, destination) => {
        asked.push(url);
        await writeFile(destination, "not the real kind");
      },
    }).catch((caught: unknown) => caught);

    expect(asked).toEqual(["https://github.com/kubernetes-sigs/kind/releases/download/v0.31.0/kind-darwin-arm64"]);
    expect((error as Error).message).toContain(
      "expected 88bf554fe9da6311c9f8c2d082613c002911a476f6b5090e9420b35d84e70c5c",
    );
    expect(await filesUnder(cacheDir)).toEqual([]);
  });

  it("refuses platforms kind publishes no binary for", async () => {
    await expect(
      installKind({ cacheDir, download: fetchDownload, platform: "win32", arch: "x64" }),
    ).rejects.toMatchObject({
      code: "UNSUPPORTED_PLATFORM",
      message: expect.stringContaining("win32/x64"),
    });
  });
});

describe("fetchDownload", () => {
  it("removes its partial file when the download is aborted", async () => {
    const destination = join(folder, "downloads", "kind");
    await mkdir(join(folder, "downloads"));
    const controller = new AbortController();
    onSlowRequest = () => controller.abort(new Error("stop"));

    await expect(fetchDownload(`${baseUrl}/slow/kind`, destination, { signal: controller.signal })).rejects.toThrow();

    expect(await readdir(join(folder, "downloads"))).toEqual([]);
  });
});

describe("findKind and ensureKind", () => {
  async function fakeKindIn(name: string, versionOutput: string): Promise<string> {
    const directory = join(folder, name);
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, "kind"), `#!/bin/sh\necho '${versionOutput}'\n`);
    await chmod(join(directory, "kind"), 0o755);
    return directory;
  }

  it("skips a kind older than the minimum on PATH, says why, and takes the next supported one", async () => {
    const old = await fakeKindIn("old", "kind v0.19.0 go1.20.4 linux/amd64");
    const current = await fakeKindIn("current", "kind v0.31.0 go1.25.5 linux/amd64");
    const warnings: string[] = [];
    const logger: KindLogger = { info: () => {}, warn: (line) => warnings.push(line) };

    const found = await findKind({ path: [old, current].join(delimiter), logger });

    expect(found).toEqual({ path: join(current, "kind"), version: "v0.31.0" });
    expect(warnings).toEqual([
      `ignoring ${join(old, "kind")}: kind v0.19.0 is older than v0.20.0, the oldest pr-pod supports`,
    ]);
  });

  it("uses the user's kind older than the pin (v0.27.0), with a warning, and downloads nothing", async () => {
    const older = await fakeKindIn("older", "kind v0.27.0 go1.24.0 linux/amd64");
    const warnings: string[] = [];
    const logger: KindLogger = { info: () => {}, warn: (line) => warnings.push(line) };
    let downloads = 0;
    const download: KindDownload = async () => {
      downloads++;
      throw new Error("offline");
    };

    const kind = await ensureKind({ path: older, cacheDir, download, logger });

    expect(kind).toEqual({ path: join(older, "kind"), version: "v0.27.0", installed: false });
    expect(downloads).toBe(0);
    expect(warnings).toEqual([
      expect.stringContaining(
        `using ${join(older, "kind")} (kind v0.27.0), older than v0.31.0, the release pr-pod is tested with`,
      ),
    ]);
  });

  it("uses the pin or newer without a word", async () => {
    const newer = await fakeKindIn("newer", "kind v0.32.0 go1.25.5 linux/amd64");
    const warnings: string[] = [];
    const logger: KindLogger = { info: (line) => warnings.push(line), warn: (line) => warnings.push(line) };

    expect(await findKind({ path: newer, logger })).toEqual({ path: join(newer, "kind"), version: "v0.32.0" });
    expect(warnings).toEqual([]);
  });

  it("accepts the versions the caller lists", async () => {
    const old = await fakeKindIn("old", "kind v0.19.0 go1.20.4 linux/amd64");

    expect(await findKind({ path: old, supportedVersions: ["v0.19.0"] })).toEqual({
      path: join(old, "kind"),
      version: "v0.19.0",
    });
  });

  it("finds nothing in folders without an executable kind", async () => {
    const notExecutable = join(folder, "plain");
    await mkdir(notExecutable);
    await writeFile(join(notExecutable, "kind"), "not a program");

    expect(await findKind({ path: [notExecutable, join(folder, "absent")].join(delimiter) })).toBeUndefined();
  });

  it("ensureKind installs only when PATH has no supported kind", async () => {
    const current = await fakeKindIn("current", "kind v0.31.0 go1.25.5 linux/amd64");
    const options = {
      cacheDir,
      download: fetchDownload,
      releaseBaseUrl: `${baseUrl}/releases`,
      checksums: goodChecksums,
      ...linuxAmd64,
    };

    expect(await ensureKind({ ...options, path: current })).toEqual({
      path: join(current, "kind"),
      version: "v0.31.0",
      installed: false,
    });
    expect(requests).toEqual([]);

    const installed = await ensureKind({ ...options, path: join(folder, "empty") });
    expect(installed).toEqual({
      path: join(cacheDir, "kind", "v0.31.0", "linux-amd64", "kind"),
      version: "v0.31.0",
      installed: true,
    });
    expect(await findKind({ path: join(cacheDir, "kind", "v0.31.0", "linux-amd64") })).toEqual({
      path: installed.path,
      version: "v0.31.0",
    });
  });
});

describe("the checksum table", () => {
  it("holds the published SHA-256 of every pinned binary", () => {
    expect(Object.keys(KIND_CHECKSUMS)).toContain("v0.31.0");
    for (const platform of ["linux", "darwin"] as const) {
      for (const arch of ["amd64", "arm64"] as const) {
        expect(lookupKindChecksum("v0.31.0", platform, arch)).toMatch(/^[0-9a-f]{64}$/);
      }
    }
    expect(lookupKindChecksum("v0.31.0", "linux", "amd64")).toBe(
      "eb244cbafcc157dff60cf68693c14c9a75c4e6e6fedaf9cd71c58117cb93e3fa",
    );
  });
});
