// Plants one made-up token in every source these packages read and scans everything they print
// (warn callbacks, console) and throw (message, stack, JSON, util.inspect) for the token in any form.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect, promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import {
  fetchPullRequestContext,
  pullRequestContextFromActions,
  pullRequestContextFromCheckout,
  pullRequestContextFromFlags,
  pullRequestContextFromWebhook,
} from "@pr-pod/pr-context";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  buildTokenSecret,
  createTokenSecret,
  deleteTokenSecret,
  loadGitHubToken,
  setTokenSecretOwner,
  tokenForms,
} from "../src/index.ts";
import { sampleContext } from "./fixtures.ts";

const TOKEN = "ghp_leakleakleakleakleakleakleakleak9876";
const ODD_TOKEN = "leaky-token-of-no-known-shape-0123456789";
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** The token as it might be planted: raw and in the encodings tools print. */
const PLANTED = [
  TOKEN,
  b64(TOKEN),
  b64(`x-access-token:${TOKEN}`),
  Buffer.from(`git:${TOKEN}`).toString("base64url"),
  encodeURIComponent(`x:${TOKEN}`),
  Buffer.from(TOKEN).toString("hex"),
];
const run = promisify(execFile);

const printed: string[] = [];
const warn = (message: string) => printed.push(message);

function scan(text: string): string[] {
  return [...tokenForms(TOKEN), ...tokenForms(ODD_TOKEN)].filter((form) => text.includes(form));
}

function expectNoLeak(thing: unknown, label: string) {
  const views =
    thing instanceof Error
      ? [thing.message, String(thing.stack), JSON.stringify(thing), inspect(thing, { depth: 10 }), String(thing)]
      : [typeof thing === "string" ? thing : JSON.stringify(thing), inspect(thing, { depth: 10 })];
  for (const view of views) expect(scan(view), `${label}: ${view.slice(0, 300)}`).toEqual([]);
}

async function thrownBy(label: string, action: () => unknown): Promise<void> {
  let error: unknown;
  try {
    await action();
  } catch (e) {
    error = e;
  }
  expect(error, `${label} should throw`).toBeInstanceOf(Error);
  expectNoLeak(error, label);
}

const consoleSpies: Array<ReturnType<typeof vi.spyOn>> = [];
beforeEach(() => {
  printed.length = 0;
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    consoleSpies.push(
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => printed.push(inspect(args))),
    );
  }
  const write = process.stderr.write.bind(process.stderr);
  consoleSpies.push(
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return write(chunk as string, ...(rest as []));
    }),
  );
});
afterEach(() => {
  for (const spy of consoleSpies.splice(0)) spy.mockRestore();
  for (const line of printed) expect(scan(line), line).toEqual([]);
});

it("the scan itself finds every planted form inside longer text", () => {
  for (const form of PLANTED) expect(scan(`error: "${form}" was bad`), form).not.toEqual([]);
});

describe("the token never shows in what pat-secret prints or throws", () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), "token-leak-"));
    await mkdir(join(repo, ".git"));
    await mkdir(join(repo, "web"));
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it("loading from the option, GITHUB_PAT, GITHUB_TOKEN and the env file reports only the source", async () => {
    await writeFile(join(repo, "web", ".env"), `GITHUB_PAT=${TOKEN}\n`);
    const sources = [
      await loadGitHubToken({ token: TOKEN, warn }),
      await loadGitHubToken({ env: { GITHUB_PAT: TOKEN }, warn }),
      await loadGitHubToken({ env: { GITHUB_TOKEN: TOKEN }, warn }),
      await loadGitHubToken({ env: {}, cwd: repo, warn }),
    ];
    for (const { token, ...shown } of sources) {
      expect(token).toBe(TOKEN);
      expectNoLeak(shown, "loaded token's source");
    }
  });

  it("a token of unknown shape is warned about without showing it", async () => {
    await loadGitHubToken({ env: { GITHUB_TOKEN: ODD_TOKEN }, warn });
    expect(printed).toHaveLength(1);
  });

  it("error paths: whitespace in the token, no token next to other secrets, unreadable env file", async () => {
    await thrownBy("token with a line break", () => loadGitHubToken({ token: `${TOKEN}\n${TOKEN}`, warn }));
    await writeFile(join(repo, "web", ".env"), `OTHER_SECRET=${TOKEN}\n`);
    await thrownBy("no token in the env file", () => loadGitHubToken({ env: { NOT_IT: TOKEN }, cwd: repo, warn }));
    await thrownBy("env file path holding a token", () =>
      loadGitHubToken({ env: {}, cwd: repo, envFile: `missing-${TOKEN}.env`, warn }),
    );
  });

  describe("with a Kubernetes API that fails", () => {
    let server: Server;
    let kubeConfig: KubeConfig;
    beforeAll(async () => {
      server = createServer((req, res) => {
        const status = req.method === "POST" ? 422 : req.method === "PATCH" ? 409 : 500;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            message: `Secret "x" is invalid: data[token]: Invalid value: "${TOKEN}" (${b64(TOKEN)})`,
            reason: "Invalid",
            code: status,
          }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [
          { name: "c", server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
        ],
        users: [{ name: "u", token: "kube-bearer" }],
        contexts: [{ name: "x", cluster: "c", user: "u" }],
        currentContext: "x",
      });
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("create, owner patch and delete errors carry no token even when the API echoes it", async () => {
      const secret = buildTokenSecret(sampleContext(), TOKEN, { namespace: "ci" });
      await thrownBy("create rejected", () => createTokenSecret(kubeConfig, secret));
      await thrownBy("patch rejected", () =>
        setTokenSecretOwner(kubeConfig, { namespace: "ci", name: "s", job: { name: "j", uid: "u" } }),
      );
      await thrownBy("delete failed", () => deleteTokenSecret(kubeConfig, { namespace: "ci", name: "s" }));
    });

    it("an unreachable cluster's error carries no token", async () => {
      const closed = new KubeConfig();
      closed.loadFromOptions({
        clusters: [{ name: "c", server: "http://127.0.0.1:9", skipTLSVerify: true }],
        users: [{ name: "u", token: TOKEN }],
        contexts: [{ name: "x", cluster: "c", user: "u" }],
        currentContext: "x",
      });
      await thrownBy("unreachable", () =>
        createTokenSecret(closed, buildTokenSecret(sampleContext(), TOKEN, { namespace: "ci" })),
      );
    });
  });
});

describe("the token never shows in what pr-context throws", () => {
  const base = {
    repo: "octo-org/hello-world",
    pr: 7,
    sha: "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    headRef: "a",
    baseRef: "main",
  };

  it("offline flags holding the token in any form", async () => {
    for (const form of PLANTED) {
      await thrownBy("repo", () => pullRequestContextFromFlags({ ...base, repo: `${form}` }));
      await thrownBy("owner", () => pullRequestContextFromFlags({ ...base, repo: `x y ${form}/r` }));
      await thrownBy("pr", () => pullRequestContextFromFlags({ ...base, pr: form }));
      await thrownBy("sha", () => pullRequestContextFromFlags({ ...base, sha: form }));
      await thrownBy("head ref", () => pullRequestContextFromFlags({ ...base, headRef: `bad ref ${form}` }));
      await thrownBy("base ref", () => pullRequestContextFromFlags({ ...base, baseRef: `${form}..x` }));
    }
    await thrownBy("clone URL", () =>
      pullRequestContextFromFlags({ ...base, cloneUrl: `https://x-access-token:${TOKEN}@github.com/o/r.git` }),
    );
  });

  it("webhook and Actions payloads holding the token in headers and fields", async () => {
    for (const form of PLANTED) {
      const payload = { action: "opened", pull_request: { number: 1, head: { ref: `x ${form}` } } };
      await thrownBy("event header", () =>
        pullRequestContextFromWebhook({ headers: { "x-github-event": form }, payload }),
      );
      await thrownBy("signature", () =>
        pullRequestContextFromWebhook(
          {
            headers: { "x-github-event": "pull_request", "x-hub-signature-256": form, "x-github-delivery": form },
            payload: "{}",
          },
          { secret: TOKEN },
        ),
      );
      await thrownBy("payload field", () =>
        pullRequestContextFromWebhook({ payload: { pull_request: { number: form } } }),
      );
      await thrownBy("actions event", () => pullRequestContextFromActions({ eventName: form, payload: {} }));
    }
  });

  describe("GitHub API answers holding the token", () => {
    let server: Server;
    let baseUrl: string;
    let answer: { status: number; body: unknown; headers?: Record<string, string> };
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("401, 403, 404, 429, 500 and a malformed 200 never echo it", async () => {
      const lookup = { repo: "octo-org/hello-world", pr: 7 };
      for (const form of PLANTED) {
        for (const [status, headers] of [
          [401, {}],
          [403, {}],
          [403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }],
          [404, {}],
          [429, { "retry-after": "999" }],
          [500, {}],
        ] as const) {
          answer = { status, headers, body: { message: `Bad credentials for ${form}`, documentation_url: form } };
          await thrownBy(`HTTP ${status}`, () =>
            fetchPullRequestContext(lookup, { token: TOKEN, baseUrl, retries: 0, maxRateLimitWaitSeconds: 0 }),
          );
        }
        answer = { status: 200, body: { number: 7, head: { sha: form } } };
        await thrownBy("malformed pull", () => fetchPullRequestContext(lookup, { token: TOKEN, baseUrl, retries: 0 }));
      }
      await thrownBy("credentials in the base URL", () =>
        fetchPullRequestContext(lookup, { token: TOKEN, baseUrl: `http://x:${TOKEN}@127.0.0.1:9`, retries: 0 }),
      );
    });
  });

  it("a checkout whose remote URL holds the token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "token-leak-git-"));
    try {
      const git = (...args: string[]) => run("git", args, { cwd: dir });
      await git("init", "-q", "-b", "main");
      await git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x");
      await git("remote", "add", "origin", `https://x-access-token:${TOKEN}@github.com/octo-org/hello-world.git`);
      const context = await pullRequestContextFromCheckout({ cwd: dir, pr: 3 });
      expectNoLeak(context, "checkout context");
      await git("remote", "set-url", "origin", `https://x-access-token:${TOKEN}@github.com/only-owner`);
      await thrownBy("unparsable remote", () => pullRequestContextFromCheckout({ cwd: dir, pr: 3 }));
      await thrownBy("pr number", () => pullRequestContextFromCheckout({ cwd: dir, pr: TOKEN }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
