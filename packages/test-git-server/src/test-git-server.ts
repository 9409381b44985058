// A real git smart-HTTP server for tests: `git http-backend` (CGI) behind node:http, guarded by HTTP basic
// auth with one token as the password, the way GitHub accepts a PAT (any username, `x-access-token` by
// convention). Protocol: https://git-scm.com/docs/http-protocol and https://git-scm.com/docs/git-http-backend
import { execFileSync, spawn } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRepoBuilder, type GitRepoBuilder, initBareRepo, type RepoFiles, runGit } from "./git-repo-builder.ts";

export interface TestGitServerOptions {
  /** The password every request must carry as basic auth. Omit for an open server. */
  token?: string;
  /** Realm named in `WWW-Authenticate`. Default `pr-pod test git server`. */
  realm?: string;
  /**
   * Allow `want <sha>` of any commit (GitHub does). When false, shallow fetches of a bare SHA are refused over
   * protocol v0, which exercises a client's fallback. Default true.
   */
  allowAnyShaInWant?: boolean;
  /** Pass the client's `Git-Protocol` header through (protocol v2). Default true. */
  protocolV2?: boolean;
}

export interface GitRequestLogEntry {
  method: string;
  /** Path and query as requested (no credentials ever appear here). */
  url: string;
  status: number;
  /** The basic-auth username, when credentials were sent. */
  username?: string;
  /** Whether the request carried the right token. */
  authorized: boolean;
  /** The git service asked for (git-upload-pack, git-receive-pack), when there was one. */
  service?: string;
}

export interface TestGitServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Folder holding the bare repositories. */
  readonly root: string;
  /** Every request so far, in order. */
  readonly requests: readonly GitRequestLogEntry[];
  /** Clone URL of a repository: `<url>/<name>.git`. */
  repoUrl(name: string): string;
  /**
   * Creates a bare repository. `files` become the first commit on `main`; a function gets the builder to make
   * commits, branches and `refs/pull/N/head` refs itself.
   */
  createRepo(
    name: string,
    init?: RepoFiles | ((repo: GitRepoBuilder) => Promise<void> | void),
  ): Promise<GitRepoBuilder>;
  /** Stops the server and deletes the repositories. */
  close(): Promise<void>;
}

const REPO_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Where git's CGI program lives (`git --exec-path`), looked up once. */
function httpBackendPath(): string {
  const execPath = execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim();
  return join(execPath, "git-http-backend");
}

function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function startTestGitServer(options: TestGitServerOptions = {}): Promise<TestGitServer> {
  const root = await mkdtemp(join(tmpdir(), "test-git-server-"));
  const backend = httpBackendPath();
  const realm = options.realm ?? "pr-pod test git server";
  const requests: GitRequestLogEntry[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const service = url.searchParams.get("service") ?? /\/(git-[a-z-]+)$/.exec(url.pathname)?.[1];
    const credentials = parseBasicAuth(req.headers.authorization);
    const authorized =
      options.token === undefined || (credentials !== undefined && sameSecret(credentials.password, options.token));
    const log = (status: number) =>
      requests.push({
        method: req.method ?? "GET",
        url: `${url.pathname}${url.search}`,
        status,
        ...(credentials ? { username: credentials.username } : {}),
        authorized,
        ...(service ? { service } : {}),
      });

    if (!authorized) {
      req.resume();
      res.writeHead(401, {
        "WWW-Authenticate": `Basic realm="${realm}"`,
        "Content-Type": "text/plain",
      });
      res.end(credentials ? "Invalid username or token.\n" : "Authentication required.\n");
      log(401);
      return;
    }

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: root,
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      REMOTE_USER: credentials?.username || "anonymous",
    };
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(req.headers["content-encoding"]);
    if (req.headers["content-length"]) env.CONTENT_LENGTH = String(req.headers["content-length"]);
    if (options.protocolV2 !== false && req.headers["git-protocol"])
      env.GIT_PROTOCOL = String(req.headers["git-protocol"]);
    if (options.allowAnyShaInWant === false) {
      env.GIT_CONFIG_COUNT = "1";
      env.GIT_CONFIG_KEY_0 = "uploadpack.allowAnySHA1InWant";
      env.GIT_CONFIG_VALUE_0 = "false";
    }

    const child = spawn(backend, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    req.pipe(child.stdin);
    child.stdin.on("error", () => {});
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });

    // CGI output: headers, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      log(status);
      const rest = head.subarray(end);
      if (rest.length > 0) res.write(rest);
    });
    child.on("close", (code) => {
      if (!headersDone) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited with ${code}: ${stderr}`);
        log(500);
        return;
      }
      res.end();
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    root,
    requests,
    repoUrl: (name) => `${url}/${name}.git`,
    async createRepo(name, init) {
      if (!REPO_NAME.test(name) || name.split("/").includes("..")) {
        throw new Error(
          `createRepo: ${JSON.stringify(name)} is not a repository name; use letters, digits, . _ - and /`,
        );
      }
      const path = join(root, `${name}.git`);
      await mkdir(join(path, ".."), { recursive: true });
      await initBareRepo(path);
      const builder = createRepoBuilder(name, path);
      if (typeof init === "function") await init(builder);
      else if (init) await builder.commit(init, { message: "initial commit" });
      return builder;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

export { runGit };
