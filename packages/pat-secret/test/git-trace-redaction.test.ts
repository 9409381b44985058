// What real tools print: git with GIT_TRACE_CURL and redaction off writes the basic-auth header it
// sends (base64 of "x-access-token:<token>") to stderr. Piped through createRedactingTransform,
// nothing of the token survives.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedactingTransform, tokenForms } from "../src/index.ts";

const TOKEN = "ghp_testtesttesttesttesttesttesttest1234";
let server: Server;
let url: string;
const authorizations: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
    res.end("Unauthorized\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://x-access-token:${TOKEN}@127.0.0.1:${(server.address() as AddressInfo).port}/octo-org/hello-world.git`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it("git's curl trace of a token clone, redacted as a stream, holds no form of the token", async () => {
  const git = spawn("git", ["ls-remote", url], {
    env: {
      ...process.env,
      GIT_TRACE_CURL: "1",
      GIT_TRACE_REDACT: "0",
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_ASKPASS: "",
      LC_ALL: "C",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const raw: Buffer[] = [];
  git.stderr.on("data", (chunk: Buffer) => raw.push(chunk));
  const [redacted] = await Promise.all([text(git.stderr.pipe(createRedactingTransform(TOKEN))), once(git, "close")]);
  const unredacted = Buffer.concat(raw).toString("utf8");
  const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
  // The test means something only if git really printed the credential.
  expect(authorizations).toContain(`Basic ${basic}`);
  expect(unredacted).toContain(basic);
  expect(unredacted).toContain(TOKEN);
  expect(tokenForms(TOKEN).filter((form) => redacted.includes(form))).toEqual([]);
  expect(redacted).toMatch(/Authorization: Basic [A-Za-z0-9+/]*\*\*\*/);
});
