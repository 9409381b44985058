// The kind download through @actions/tool-cache, against a local HTTP server standing in for
// GitHub's release downloads: a good checksum installs and caches kind in RUNNER_TOOL_CACHE, the
// next call takes it from there without a request, and a bad checksum installs nothing.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { kindFromToolCache } from "../src/kind-tool-cache.ts";

const VERSION = "v0.31.0";
const PLATFORM = `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}` as "linux/amd64";
const KIND_BYTES = Buffer.from("#!/bin/sh\necho 'kind v0.31.0 go1.25.5 linux/amd64'\n");
const GOOD_SHA256 = createHash("sha256").update(KIND_BYTES).digest("hex");
const BAD_SHA256 = "0".repeat(64);

let server: Server;
let baseUrl: string;
let requests: string[];
let dir: string;
const savedEnv = { RUNNER_TOOL_CACHE: process.env["RUNNER_TOOL_CACHE"], RUNNER_TEMP: process.env["RUNNER_TEMP"] };

beforeEach(async () => {
  // @actions/tool-cache logs through core.debug, which prints ::debug:: lines on stdout; a runner
  // hides them, the test output should too.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).startsWith("::debug::") ? true : write(chunk, ...rest)) as typeof process.stdout.write);
  requests = [];
  server = createServer((request, response) => {
    requests.push(request.url ?? "");
    if (request.url === `/${VERSION}/kind-${PLATFORM.replace("/", "-")}`) {
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(KIND_BYTES);
    } else {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "pr-pod-action-kind-"));
  process.env["RUNNER_TOOL_CACHE"] = join(dir, "tool-cache");
  process.env["RUNNER_TEMP"] = join(dir, "temp");
});

afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function install(sha256: string) {
  return kindFromToolCache({
    version: VERSION,
    checksums: { [VERSION]: { [PLATFORM]: sha256 } },
    releaseBaseUrl: baseUrl,
  });
}

describe("kindFromToolCache", () => {
  it("downloads kind, checks its SHA-256 and caches it in RUNNER_TOOL_CACHE", async () => {
    const kind = await install(GOOD_SHA256);
    expect(kind.source).toBe("download");
    expect(kind.path.startsWith(join(dir, "tool-cache", "kind", "0.31.0"))).toBe(true);
    expect(await readFile(kind.path)).toEqual(KIND_BYTES);
    expect(requests).toHaveLength(1);
  });

  it("takes kind from the tool cache the second time, without a request", async () => {
    const first = await install(GOOD_SHA256);
    const second = await install(GOOD_SHA256);
    expect(second).toEqual({ path: first.path, version: VERSION, source: "tool-cache" });
    expect(requests).toHaveLength(1);
  });

  it("refuses a download whose SHA-256 is wrong and caches nothing", async () => {
    await expect(install(BAD_SHA256)).rejects.toMatchObject({ code: "CHECKSUM_MISMATCH" });
    expect(existsSync(join(dir, "tool-cache", "kind"))).toBe(false);
    expect(await readdir(join(dir, "temp")).catch(() => [])).toEqual([]);
  });

  it("says the download failed when the release is not there", async () => {
    await expect(
      kindFromToolCache({
        version: "v0.31.0",
        checksums: { [VERSION]: { [PLATFORM]: GOOD_SHA256 } },
        releaseBaseUrl: `${baseUrl}/missing`,
      }),
    ).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
  });

  it("uses a supported kind from PATH without downloading anything", async () => {
    const first = await install(GOOD_SHA256);
    const onPath = await kindFromToolCache({ path: join(first.path, "..") });
    expect(onPath).toEqual({ path: first.path, version: VERSION, source: "path" });
    expect(requests).toHaveLength(1);
  });

  it("passes over a kind older than the minimum on PATH with a log line, not a warning, and installs the pinned release", async () => {
    const bin = join(dir, "bin");
    await mkdir(bin);
    await writeFile(join(bin, "kind"), "#!/bin/sh\necho 'kind v0.19.0 go1.20.4 linux/amd64'\n");
    await chmod(join(bin, "kind"), 0o755);
    const said: string[] = [];
    const warned: string[] = [];
    const kind = await kindFromToolCache({
      path: bin,
      checksums: { [VERSION]: { [PLATFORM]: GOOD_SHA256 } },
      releaseBaseUrl: baseUrl,
      logger: { info: (message) => said.push(message), warn: (message) => warned.push(message) },
    });
    expect(kind).toMatchObject({ version: VERSION, source: "download" });
    expect(said.join("\n")).toContain(
      `ignoring ${join(bin, "kind")}: kind v0.19.0 is older than v0.20.0, the oldest pr-pod supports`,
    );
    expect(warned).toEqual([]);
  });
});
