// A GitHub REST API server for tests, on loopback HTTP, serving the endpoints pr-pod uses. It judges
// every request with GitHub's own OpenAPI description (bad path parameter: 404; bad query or body:
// 422, unparsable JSON: 400, as GitHub answers) and checks every answer it gives against the same
// description; an answer that fails is a bug in this server, recorded in `problems` and thrown by close().
// Tokens have kinds and permissions like GitHub's: a classic PAT, a GITHUB_TOKEN with its workflow
// permissions, and GitHub App installation tokens minted through a JWT signed with the app's key.
// Error shapes: https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
import { type createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type DescribedOperation,
  type DescriptionProblem,
  describeOperations,
  validateParameters,
  validateRequestBody,
  validateResponse,
} from "./github-description.ts";
import {
  checkRunObject,
  commentObject,
  installationTokenObject,
  pullRequestObject,
  rateLimitObject,
  repositoryObject,
  type StoredCheckRun,
  type StoredComment,
  type StoredPullRequest,
  type StoredRepository,
  type StoredStatus,
  statusObject,
} from "./github-objects.ts";

/** The operations served, by the description's operationId. */
export const SERVED_OPERATIONS = [
  "repos/create-commit-status",
  "checks/create",
  "checks/update",
  "checks/get",
  "issues/list-comments",
  "issues/create-comment",
  "issues/update-comment",
  "pulls/get",
  "pulls/list",
  "repos/get",
  "apps/create-installation-access-token",
  "rate-limit/get",
] as const;
export type ServedOperation = (typeof SERVED_OPERATIONS)[number];

export type PermissionLevel = "read" | "write";
/** GitHub App / GITHUB_TOKEN permissions, as `permissions:` in a workflow names them. */
export interface TokenPermissions {
  statuses?: PermissionLevel;
  checks?: PermissionLevel;
  pull_requests?: PermissionLevel;
  issues?: PermissionLevel;
  contents?: PermissionLevel;
  metadata?: PermissionLevel;
}

export type TokenGrant =
  /** A classic PAT with the `repo` scope: everything on its repositories, but no check runs (those need an app). */
  | { kind: "pat"; login?: string; repositories?: string[]; rateLimit?: number }
  /** The workflow's GITHUB_TOKEN: one repository, the workflow's permissions. */
  | { kind: "actions"; repository: string; permissions: TokenPermissions; rateLimit?: number }
  /** An installation access token (normally minted by POST /app/installations/{id}/access_tokens). */
  | {
      kind: "installation";
      appSlug: string;
      repositories?: string[];
      permissions: TokenPermissions;
      rateLimit?: number;
    };

export interface TestGitHubApp {
  appId: number;
  slug: string;
  installationId: number;
  /** PEM (PKCS#8) of the app's private key, as GitHub hands it out. */
  privateKey: string;
}

export interface AddAppOptions {
  slug?: string;
  /** Repositories the installation covers ("owner/name"); default every repository. */
  repositories?: string[];
  permissions?: TokenPermissions;
}

export interface FaultMatch {
  operation?: ServedOperation;
  method?: string;
  path?: string | RegExp;
}

export interface RecordedCall {
  method: string;
  path: string;
  operation?: ServedOperation;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
  status: number;
  /** Which token made the call: its label (given to addToken, or the kind), never the token. */
  token?: string;
  userAgent?: string;
  faulted?: boolean;
  /** What the description said was wrong with the request, when the server refused it. */
  rejected?: DescriptionProblem[];
}

export interface StartTestGitHubServerOptions {
  host?: string;
  port?: number;
  /** Prefix of the API (for example "/api/v3" to look like GitHub Enterprise Server). */
  pathPrefix?: string;
}

interface Fault {
  match: FaultMatch;
  count: number;
  answer: "drop" | "hang" | { status: number; body: unknown; headers: Record<string, string> };
}

interface TokenState {
  grant: TokenGrant;
  label: string;
  limit: number;
  used: number;
  reset: number;
}

const DOCS = "https://docs.github.com/rest";

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

function githubError(
  status: number,
  message: string,
  documentation = DOCS,
  extra: Record<string, unknown> = {},
): HttpAnswer {
  return new HttpAnswer(status, { message, documentation_url: documentation, status: String(status), ...extra });
}

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

export class TestGitHubServer {
  /** `http://127.0.0.1:PORT` plus the prefix: Octokit's baseUrl. */
  readonly url: string;
  /** Where html_url and target links point (a made-up github.test origin). */
  readonly webUrl = "https://github.test";
  /** Every request, in order. */
  readonly calls: RecordedCall[] = [];
  /** Installation tokens minted so far (for leak tests: they must never show up in output). */
  readonly installationTokens: string[] = [];
  /** Answers this server gave that GitHub's description rejects (thrown by close()). */
  readonly problems: string[] = [];

  readonly #server: ReturnType<typeof createServer>;
  readonly #prefix: string;
  readonly #operations = describeOperations(SERVED_OPERATIONS);
  readonly #tokens = new Map<string, TokenState>();
  readonly #apps = new Map<
    number,
    { app: TestGitHubApp; publicKey: ReturnType<typeof createPublicKey>; options: AddAppOptions }
  >();
  readonly #repos = new Map<string, StoredRepository>();
  readonly #pulls: StoredPullRequest[] = [];
  readonly #statuses: StoredStatus[] = [];
  readonly #checkRuns: StoredCheckRun[] = [];
  readonly #comments: StoredComment[] = [];
  readonly #faults: Fault[] = [];
  #nextId = 1000;
  #unauthenticated: TokenState;

  constructor(server: ReturnType<typeof createServer>, url: string, prefix: string) {
    this.#server = server;
    this.url = url;
    this.#prefix = prefix;
    this.#unauthenticated = this.#newTokenState({ kind: "pat", repositories: [] }, "anonymous", 60);
  }

  #newTokenState(grant: TokenGrant, label: string, limit: number): TokenState {
    return { grant, label, limit, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
  }

  /** Accepts `token` from now on. `label` names it in the call log (the token itself never appears there). */
  addToken(token: string, grant: TokenGrant, label: string = grant.kind): void {
    const limit = grant.rateLimit ?? (grant.kind === "actions" ? 1000 : 5000);
    this.#tokens.set(token, this.#newTokenState(grant, label, limit));
  }

  /** Makes a token's core rate limit run out after `remaining` more requests. */
  setRateLimitRemaining(token: string, remaining: number): void {
    const state = this.#tokens.get(token);
    if (!state) throw new Error("setRateLimitRemaining: unknown token");
    state.used = state.limit - remaining;
  }

  /** Registers a GitHub App with one installation and a fresh RSA key. */
  addApp(options: AddAppOptions = {}): TestGitHubApp {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const appId = this.#nextId++;
    const app: TestGitHubApp = {
      appId,
      slug: options.slug ?? "pr-pod-test-app",
      installationId: this.#nextId++,
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    };
    this.#apps.set(app.installationId, { app, publicKey, options });
    return app;
  }

  addRepository(slug: string, options: { private?: boolean; defaultBranch?: string } = {}): void {
    const [owner, name] = slug.split("/");
    if (!owner || !name) throw new Error(`addRepository: "${slug}" is not owner/name`);
    this.#repos.set(slug.toLowerCase(), {
      owner,
      name,
      id: this.#nextId++,
      private: options.private ?? false,
      defaultBranch: options.defaultBranch ?? "main",
    });
  }

  addPullRequest(pr: {
    repo: string;
    number: number;
    headSha: string;
    headRef: string;
    baseRef?: string;
    baseSha?: string;
    title?: string;
    headRepo?: string;
    user?: string;
    state?: "open" | "closed";
    /** Closed by merging (implies state closed). */
    merged?: boolean;
  }): void {
    if (!this.#repos.has(pr.repo.toLowerCase())) this.addRepository(pr.repo);
    const headRepo = pr.headRepo ?? pr.repo;
    if (!this.#repos.has(headRepo.toLowerCase())) this.addRepository(headRepo);
    this.#pulls.push({
      repo: pr.repo,
      number: pr.number,
      id: this.#nextId++,
      title: pr.title ?? `Pull request ${pr.number}`,
      state: pr.merged ? "closed" : (pr.state ?? "open"),
      merged: pr.merged ?? false,
      headSha: pr.headSha,
      headRef: pr.headRef,
      baseRef: pr.baseRef ?? "main",
      baseSha: pr.baseSha ?? "0".repeat(40),
      headRepo,
      user: pr.user ?? headRepo.split("/")[0]!,
    });
  }

  /** Commit statuses of a commit, oldest first. */
  statuses(repo: string, sha?: string): StoredStatus[] {
    return this.#statuses.filter((s) => s.repo.toLowerCase() === repo.toLowerCase() && (!sha || s.sha === sha));
  }

  checkRuns(repo: string): StoredCheckRun[] {
    return this.#checkRuns.filter((c) => c.repo.toLowerCase() === repo.toLowerCase());
  }

  comments(repo: string, issueNumber?: number): StoredComment[] {
    return this.#comments.filter(
      (c) =>
        c.repo.toLowerCase() === repo.toLowerCase() && (issueNumber === undefined || c.issueNumber === issueNumber),
    );
  }

  /** `"METHOD operation -> status"` for each call so far (or those matching), for exact-sequence asserts. */
  sequence(filter: (call: RecordedCall) => boolean = () => true): string[] {
    return this.calls.filter(filter).map((c) => `${c.operation ?? `${c.method} ${c.path}`} -> ${c.status}`);
  }

  readonly faults = {
    /** Answer the next `count` matching requests with this status and GitHub's error body. */
    failNext: (options: {
      status: number;
      count?: number;
      match?: FaultMatch;
      message?: string;
      headers?: Record<string, string>;
    }) => {
      const message =
        options.message ??
        (options.status >= 500 ? "Server Error" : options.status === 404 ? "Not Found" : "Forbidden");
      this.#faults.push({
        match: options.match ?? {},
        count: options.count ?? 1,
        answer: {
          status: options.status,
          body: { message, documentation_url: DOCS, status: String(options.status) },
          headers: options.headers ?? {},
        },
      });
    },
    /** GitHub's secondary rate limit: 403 with `retry-after` and its documented message. */
    secondaryRateLimit: (options: { retryAfterSeconds?: number; count?: number; match?: FaultMatch } = {}) => {
      this.#faults.push({
        match: options.match ?? {},
        count: options.count ?? 1,
        answer: {
          status: 403,
          body: {
            message:
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
            documentation_url:
              "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            status: "403",
          },
          headers: { "retry-after": String(options.retryAfterSeconds ?? 1) },
        },
      });
    },
    /** Close the connection of the next matching request without an answer. */
    dropConnection: (options: { count?: number; match?: FaultMatch } = {}) => {
      this.#faults.push({ match: options.match ?? {}, count: options.count ?? 1, answer: "drop" });
    },
    /** Never answer the next matching request (a GitHub that hangs); the connection stays open until close. */
    hang: (options: { count?: number; match?: FaultMatch } = {}) => {
      this.#faults.push({ match: options.match ?? {}, count: options.count ?? 1, answer: "hang" });
    },
    clear: () => {
      this.#faults.length = 0;
    },
  };

  /** Stops the server; throws when any answer it gave failed GitHub's description. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((error) => (error ? reject(error) : resolve())));
    if (this.problems.length > 0) {
      throw new Error(`test-github-server gave answers GitHub's description rejects:\n${this.problems.join("\n")}`);
    }
  }

  // ---- request handling ----

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    const fullPath = url.pathname;
    const path = fullPath.startsWith(this.#prefix) ? fullPath.slice(this.#prefix.length) || "/" : fullPath;
    const call: RecordedCall = { method, path, pathParams: {}, query: {}, status: 0 };
    if (req.headers["user-agent"]) call.userAgent = req.headers["user-agent"];
    this.calls.push(call);
    const raw = await readBody(req);

    let described: DescribedOperation | undefined;
    let values: Record<string, string> = {};
    for (const candidate of this.#operations.values()) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      described = candidate;
      values = Object.fromEntries(candidate.pathParamNames.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      break;
    }
    const presented = this.#tokenOf(req);
    const token = presented === "bad" ? undefined : presented;
    call.token = presented === "bad" ? "bad credentials" : token?.label;

    const fault = this.#takeFault(method, path, described?.operationId as ServedOperation | undefined);
    if (fault) {
      call.faulted = true;
      call.operation = described?.operationId as ServedOperation | undefined;
      if (fault.answer === "drop") {
        call.status = 0;
        req.socket.destroy();
        return;
      }
      if (fault.answer === "hang") {
        call.status = 0;
        return;
      }
      return this.#send(
        res,
        call,
        described,
        new HttpAnswer(fault.answer.status, fault.answer.body, fault.answer.headers),
        token,
      );
    }

    if (!described) {
      return this.#send(res, call, undefined, githubError(404, "Not Found"), token);
    }
    call.operation = described.operationId as ServedOperation;
    const params = validateParameters(described, values, url.searchParams);
    call.pathParams = params.path;
    call.query = params.query;
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        call.rejected = [{ where: "body", message: "is not JSON" }];
        return this.#send(res, call, described, githubError(400, "Problems parsing JSON"), token);
      }
    }
    call.body = body;
    if (presented === "bad") return this.#send(res, call, described, githubError(401, "Bad credentials"), undefined);
    if (params.pathProblems.length > 0) {
      call.rejected = params.pathProblems;
      return this.#send(res, call, described, githubError(404, "Not Found"), token);
    }
    const problems = [...params.queryProblems, ...validateRequestBody(described, body)];
    if (problems.length > 0) {
      call.rejected = problems;
      const detail = problems.map((p) => `${p.where} ${p.message}`).join("\n");
      return this.#send(res, call, described, githubError(422, `Invalid request.\n\n${detail}`), token);
    }
    const state = token ?? this.#unauthenticated;
    if (
      described.operationId !== "rate-limit/get" &&
      described.operationId !== "apps/create-installation-access-token"
    ) {
      if (state.used >= state.limit) {
        return this.#send(
          res,
          call,
          described,
          githubError(
            403,
            `API rate limit exceeded for ${state.label}.`,
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
          ),
          state,
        );
      }
      state.used += 1;
    }
    let answer: HttpAnswer;
    try {
      answer = this.#operate(described.operationId as ServedOperation, params.path, params.query, body, token);
    } catch (error) {
      if (!(error instanceof HttpAnswer)) throw error;
      answer = error;
    }
    return this.#send(res, call, described, answer, state);
  }

  #takeFault(method: string, path: string, operation: ServedOperation | undefined): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        (!f.match.operation || f.match.operation === operation) &&
        (!f.match.method || f.match.method.toUpperCase() === method) &&
        (!f.match.path || (typeof f.match.path === "string" ? f.match.path === path : f.match.path.test(path))),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault;
  }

  #tokenOf(req: IncomingMessage): TokenState | "bad" | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    if (!match) return "bad";
    const token = match[1]!;
    if (token.split(".").length === 3) return this.#jwtState(token) ?? "bad";
    return this.#tokens.get(token) ?? "bad";
  }

  /** An app's JWT (RS256, iss = app id, at most 10 minutes long) as GitHub checks it. */
  #jwtState(jwt: string): TokenState | undefined {
    const [header, payload, signature] = jwt.split(".") as [string, string, string];
    for (const { app, publicKey } of this.#apps.values()) {
      const ok = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), publicKey, base64url(signature));
      if (!ok) continue;
      const claims = JSON.parse(base64url(payload).toString("utf8")) as { iss?: unknown; exp?: number; iat?: number };
      const now = Math.floor(Date.now() / 1000);
      if (
        String(claims.iss) !== String(app.appId) ||
        !claims.exp ||
        claims.exp < now ||
        claims.exp - (claims.iat ?? 0) > 660
      ) {
        return undefined;
      }
      return this.#newTokenState(
        { kind: "installation", appSlug: app.slug, permissions: {} },
        `app ${app.slug} JWT`,
        5000,
      );
    }
    return undefined;
  }

  #repo(slug: string, token: TokenState | undefined, write: boolean): StoredRepository {
    const repo = this.#repos.get(slug.toLowerCase());
    if (!repo) throw githubError(404, "Not Found");
    if (!token) {
      if (write) throw githubError(401, "Requires authentication");
      if (repo.private) throw githubError(404, "Not Found");
      return repo;
    }
    const grant = token.grant;
    const visible =
      grant.kind === "actions"
        ? grant.repository.toLowerCase() === slug.toLowerCase()
        : !grant.repositories || grant.repositories.some((r) => r.toLowerCase() === slug.toLowerCase());
    if (!visible && (repo.private || write)) throw githubError(404, "Not Found");
    return repo;
  }

  /** 403 "Resource not accessible by integration" is what GitHub says when an app or GITHUB_TOKEN lacks a permission. */
  #require(token: TokenState | undefined, anyOf: Array<keyof TokenPermissions>, level: PermissionLevel): void {
    if (!token || token.grant.kind === "pat") return;
    const permissions = token.grant.permissions;
    const allowed = anyOf.some((name) => {
      const has = permissions[name];
      return has === "write" || (level === "read" && has === "read");
    });
    if (!allowed) {
      throw githubError(403, "Resource not accessible by integration", "https://docs.github.com/rest");
    }
  }

  #operate(
    operation: ServedOperation,
    path: Record<string, unknown>,
    query: Record<string, unknown>,
    body: unknown,
    token: TokenState | undefined,
  ): HttpAnswer {
    const api = this.url;
    const web = this.webUrl;
    const slug = `${path.owner}/${path.repo}`;
    const input = (body ?? {}) as Record<string, unknown>;
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const grant = token?.grant;
    const login =
      grant?.kind === "pat"
        ? (grant.login ?? "octocat")
        : grant?.kind === "actions"
          ? "github-actions[bot]"
          : grant
            ? `${grant.appSlug}[bot]`
            : "ghost";
    switch (operation) {
      case "rate-limit/get": {
        const state = token ?? this.#unauthenticated;
        return new HttpAnswer(200, rateLimitObject(this.#core(state)));
      }
      case "repos/get":
        return new HttpAnswer(200, repositoryObject(this.#repo(slug, token, false), api, web));
      case "pulls/get": {
        this.#repo(slug, token, false);
        this.#require(token, ["pull_requests", "contents"], "read");
        const pr = this.#pulls.find(
          (p) => p.repo.toLowerCase() === slug.toLowerCase() && p.number === path.pull_number,
        );
        if (!pr) throw githubError(404, "Not Found");
        return new HttpAnswer(
          200,
          pullRequestObject(pr, (s) => this.#repoId(s), api, web),
        );
      }
      case "pulls/list": {
        this.#repo(slug, token, false);
        this.#require(token, ["pull_requests", "contents"], "read");
        const state = (query.state as string | undefined) ?? "open";
        // head=OWNER:BRANCH (the head repository's owner, then the branch), as GitHub filters it.
        const head = typeof query.head === "string" ? query.head.toLowerCase() : undefined;
        const list = this.#pulls.filter(
          (p) =>
            p.repo.toLowerCase() === slug.toLowerCase() &&
            (state === "all" || p.state === state) &&
            (head === undefined || `${p.headRepo.split("/")[0]}:${p.headRef}`.toLowerCase() === head),
        );
        return new HttpAnswer(
          200,
          this.#page(list, query).map((pr) => pullRequestObject(pr, (s) => this.#repoId(s), api, web, true)),
        );
      }
      case "repos/create-commit-status": {
        this.#repo(slug, token, true);
        this.#require(token, ["statuses"], "write");
        const description = (input.description as string | null | undefined) ?? null;
        if (description && description.length > 140) {
          throw githubError(422, "Validation Failed", DOCS, {
            errors: [
              {
                resource: "Status",
                code: "custom",
                field: "description",
                message: "description is too long (maximum is 140 characters)",
              },
            ],
          });
        }
        const status: StoredStatus = {
          id: this.#nextId++,
          repo: slug,
          sha: String(path.sha),
          state: input.state as StoredStatus["state"],
          context: (input.context as string | undefined) ?? "default",
          description,
          targetUrl: (input.target_url as string | null | undefined) ?? null,
          createdAt: now,
          creator: login,
        };
        this.#statuses.push(status);
        return new HttpAnswer(201, statusObject(status, api, web), {
          location: `${api}/repos/${slug}/statuses/${status.sha}`,
        });
      }
      case "checks/create":
      case "checks/update": {
        this.#repo(slug, token, true);
        if (token?.grant.kind === "pat") throw githubError(403, "You must authenticate via a GitHub App.");
        this.#require(token, ["checks"], "write");
        let run: StoredCheckRun;
        if (operation === "checks/create") {
          run = {
            id: this.#nextId++,
            repo: slug,
            headSha: String(input.head_sha),
            name: String(input.name),
            status: "queued",
            conclusion: null,
            detailsUrl: null,
            externalId: null,
            startedAt: now,
            completedAt: null,
            output: { title: null, summary: null, text: null, annotations: [] },
            appSlug: token?.grant.kind === "installation" ? token.grant.appSlug : "github-actions",
          };
        } else {
          const found = this.#checkRuns.find(
            (c) => c.repo.toLowerCase() === slug.toLowerCase() && c.id === path.check_run_id,
          );
          if (!found) throw githubError(404, "Not Found");
          run = { ...found, output: { ...found.output } };
        }
        this.#applyCheckRun(run, input, now);
        const index = this.#checkRuns.findIndex((c) => c.id === run.id);
        if (index >= 0) this.#checkRuns[index] = run;
        else this.#checkRuns.push(run);
        return new HttpAnswer(operation === "checks/create" ? 201 : 200, checkRunObject(run, api, web));
      }
      case "checks/get": {
        this.#repo(slug, token, false);
        this.#require(token, ["checks"], "read");
        const found = this.#checkRuns.find(
          (c) => c.repo.toLowerCase() === slug.toLowerCase() && c.id === path.check_run_id,
        );
        if (!found) throw githubError(404, "Not Found");
        return new HttpAnswer(200, checkRunObject(found, api, web));
      }
      case "issues/list-comments": {
        this.#repo(slug, token, false);
        this.#require(token, ["issues", "pull_requests"], "read");
        this.#issue(slug, path.issue_number as number);
        const list = this.comments(slug, path.issue_number as number);
        return new HttpAnswer(
          200,
          this.#page(list, query).map((c) => commentObject(c, api, web)),
        );
      }
      case "issues/create-comment": {
        this.#repo(slug, token, true);
        this.#require(token, ["issues", "pull_requests"], "write");
        this.#issue(slug, path.issue_number as number);
        this.#checkCommentBody(input.body);
        const comment: StoredComment = {
          id: this.#nextId++,
          repo: slug,
          issueNumber: path.issue_number as number,
          body: String(input.body),
          user: login,
          createdAt: now,
          updatedAt: now,
        };
        this.#comments.push(comment);
        return new HttpAnswer(201, commentObject(comment, api, web), {
          location: `${api}/repos/${slug}/issues/comments/${comment.id}`,
        });
      }
      case "issues/update-comment": {
        this.#repo(slug, token, true);
        this.#require(token, ["issues", "pull_requests"], "write");
        const comment = this.#comments.find(
          (c) => c.repo.toLowerCase() === slug.toLowerCase() && c.id === path.comment_id,
        );
        if (!comment) throw githubError(404, "Not Found");
        this.#checkCommentBody(input.body);
        comment.body = String(input.body);
        comment.updatedAt = now;
        return new HttpAnswer(200, commentObject(comment, api, web));
      }
      case "apps/create-installation-access-token": {
        if (!token || !token.label.endsWith(" JWT")) {
          throw githubError(
            401,
            "A JSON web token could not be decoded",
            "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
          );
        }
        const entry = this.#apps.get(path.installation_id as number);
        if (!entry || token.grant.kind !== "installation" || entry.app.slug !== token.grant.appSlug) {
          throw githubError(404, "Not Found");
        }
        const permissions = entry.options.permissions ?? {
          checks: "write",
          statuses: "write",
          pull_requests: "write",
          metadata: "read",
        };
        const minted = `ghs_${randomBytes(18).toString("base64url").replace(/[-_]/g, "A")}`;
        this.installationTokens.push(minted);
        this.addToken(
          minted,
          { kind: "installation", appSlug: entry.app.slug, repositories: entry.options.repositories, permissions },
          `app ${entry.app.slug}`,
        );
        const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
        return new HttpAnswer(
          201,
          installationTokenObject(
            minted,
            expiresAt,
            permissions as Record<string, string>,
            entry.options.repositories ? "selected" : "all",
          ),
        );
      }
    }
  }

  /** GitHub's own limits on check runs, which the description leaves out. */
  #applyCheckRun(run: StoredCheckRun, input: Record<string, unknown>, now: string): void {
    const output = input.output as
      | { title?: string; summary?: string; text?: string; annotations?: unknown[] }
      | undefined;
    const tooLong = (field: string, value: string | undefined) => {
      if (value !== undefined && value.length > 65535) {
        throw githubError(
          422,
          "Invalid request.\n\nOnly 65535 characters are allowed; " + `${value.length} were supplied.`,
          DOCS,
          {
            errors: [
              {
                resource: "CheckRun",
                code: "custom",
                field,
                message: `${field} is too long (maximum is 65535 characters)`,
              },
            ],
          },
        );
      }
    };
    if (output) {
      tooLong("output.summary", output.summary);
      tooLong("output.text", output.text);
      if ((output.annotations?.length ?? 0) > 50) {
        throw githubError(422, "Validation Failed", DOCS, {
          errors: [
            {
              resource: "CheckRun",
              code: "custom",
              field: "output.annotations",
              message: "at most 50 annotations per request",
            },
          ],
        });
      }
      run.output.title = output.title ?? run.output.title;
      run.output.summary = output.summary ?? run.output.summary;
      run.output.text = output.text ?? run.output.text;
      run.output.annotations = [...run.output.annotations, ...(output.annotations ?? [])];
    }
    if (typeof input.name === "string") run.name = input.name;
    if (typeof input.details_url === "string") run.detailsUrl = input.details_url;
    if (typeof input.external_id === "string") run.externalId = input.external_id;
    if (typeof input.started_at === "string") run.startedAt = input.started_at;
    if (typeof input.status === "string") run.status = input.status;
    if (typeof input.conclusion === "string") {
      run.conclusion = input.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") {
      if (!run.conclusion) {
        throw githubError(422, "Validation Failed", DOCS, {
          errors: [{ resource: "CheckRun", code: "missing_field", field: "conclusion" }],
        });
      }
      run.completedAt = typeof input.completed_at === "string" ? input.completed_at : now;
    }
  }

  #checkCommentBody(body: unknown): void {
    if (typeof body === "string" && body.length > 65536) {
      throw githubError(422, "Validation Failed", DOCS, {
        errors: [
          {
            resource: "IssueComment",
            code: "custom",
            field: "body",
            message: "body is too long (maximum is 65536 characters)",
          },
        ],
      });
    }
  }

  #issue(slug: string, number: number): void {
    if (!this.#pulls.some((p) => p.repo.toLowerCase() === slug.toLowerCase() && p.number === number)) {
      throw githubError(404, "Not Found");
    }
  }

  #page<T>(list: T[], query: Record<string, unknown>): T[] {
    const perPage = (query.per_page as number | undefined) ?? 30;
    const page = (query.page as number | undefined) ?? 1;
    return list.slice((page - 1) * perPage, page * perPage);
  }

  #repoId(slug: string): number {
    return this.#repos.get(slug.toLowerCase())?.id ?? 1;
  }

  #core(state: TokenState): { limit: number; remaining: number; reset: number; used: number } {
    return {
      limit: state.limit,
      remaining: Math.max(0, state.limit - state.used),
      reset: state.reset,
      used: state.used,
    };
  }

  #send(
    res: ServerResponse,
    call: RecordedCall,
    described: DescribedOperation | undefined,
    answer: HttpAnswer,
    token: TokenState | undefined,
  ): void {
    call.status = answer.status;
    if (described) {
      for (const problem of validateResponse(described, answer.status, answer.body)) {
        this.problems.push(
          `${call.method} ${call.path} (${described.operationId}) ${problem.where} ${problem.message}`,
        );
      }
    }
    const core = this.#core(token ?? this.#unauthenticated);
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
      "x-ratelimit-limit": String(core.limit),
      "x-ratelimit-remaining": String(core.remaining),
      "x-ratelimit-reset": String(core.reset),
      "x-ratelimit-used": String(core.used),
      "x-ratelimit-resource": "core",
      ...answer.headers,
    });
    res.end(text);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the server on loopback (a free port unless one is given). */
export async function startTestGitHubServer(options: StartTestGitHubServerOptions = {}): Promise<TestGitHubServer> {
  const host = options.host ?? "127.0.0.1";
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  let github: TestGitHubServer | undefined;
  const server = createServer((req, res) => {
    github!.handle(req, res).catch((error: unknown) => {
      github!.problems.push(`test-github-server crashed on ${req.method} ${req.url}: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Server Error", documentation_url: DOCS, status: "500" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  github = new TestGitHubServer(server, `http://${host}:${port}${prefix}`, prefix);
  return github;
}
