// The responses the servers in this process are writing right now, found by request URL, from Node's
// diagnostics channel. The log-throughput figure reads a log stream's writableLength (bytes queued, not
// yet taken by the client) to feed the pod only as fast as the follower reads, so the feeder stands in
// for a pod whose writes block on a full pipe, and the cluster's memory stays bounded.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface ResponseFinder {
  /** The most recent still-open response whose request URL contains `part`. */
  find(part: string): ServerResponse | undefined;
  stop(): void;
}

export function watchServerResponses(): ResponseFinder {
  const open = new Map<ServerResponse, string>();
  const onStart = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    open.set(response, request.url ?? "");
    response.once("close", () => open.delete(response));
  };
  subscribe("http.server.request.start", onStart);
  return {
    find(part) {
      let found: ServerResponse | undefined;
      for (const [response, url] of open) if (url.includes(part)) found = response;
      return found;
    },
    stop() {
      unsubscribe("http.server.request.start", onStart);
      open.clear();
    },
  };
}
