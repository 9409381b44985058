// A local node:http server standing in for GitHub's REST API, answering with the documented shapes
// and headers (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeGitHub {
  /** e.g. http://127.0.0.1:PORT (or with /api/v3 when started with a prefix). */
  baseUrl: string;
  requests: Array<{ method: string; url: string; authorization?: string; userAgent?: string }>;
  /** Answers for a path, used in order; the last one repeats. */
  answer(path: string, ...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(prefix = ""): Promise<FakeGitHub> {
  const answers = new Map<string, FakeAnswer[]>();
  const requests: FakeGitHub["requests"] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      userAgent: req.headers["user-agent"],
    });
    const path = (req.url ?? "").slice(prefix.length).split("?")[0]!;
    const queue = answers.get(path);
    const answer = queue && (queue.length > 1 ? queue.shift()! : queue[0]!);
    const { status, body, headers } = answer ?? {
      status: 404,
      body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" },
    };
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${prefix}`,
    requests,
    answer(path, ...list) {
      answers.set(path, list);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
