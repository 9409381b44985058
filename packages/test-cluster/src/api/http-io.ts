// HTTP plumbing shared by the handlers: JSON replies and request bodies.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Json } from "../json.ts";
import { isProtobuf, jsonFromProtobuf } from "./protobuf-body.ts";
import { badRequest, StatusError } from "./status-error.ts";

export function sendJson(
  res: ServerResponse,
  code: number,
  body: Json,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", ...extraHeaders });
  res.end(`${text}\n`);
}

export function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function readBody(req: IncomingMessage): Promise<string> {
  if (isProtobuf(req.headers["content-type"])) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
    );
  }
  return (await readBytes(req)).toString("utf8");
}

export function parseJsonBody(text: string): Json {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body of the request was in an unknown format: ${(error as Error).message}`);
  }
}

/** A request body as JSON, whether sent as JSON or (for the kinds kubectl sends so) as protobuf. */
export async function readJsonBody(req: IncomingMessage): Promise<Json> {
  if (isProtobuf(req.headers["content-type"])) return jsonFromProtobuf(await readBytes(req));
  return parseJsonBody(await readBody(req));
}
