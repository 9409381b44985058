// Counts HTTP requests the servers in this process are answering right now, and the most at once, from
// Node's built-in diagnostics channel (https://nodejs.org/api/diagnostics_channel.html#http): the
// test cluster runs in the bench process, so this needs no hook in its code. A request counts from
// its arrival until its response closes, so open watches and followed logs count for as long as they
// stay open.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface InFlightTracker {
  readonly current: number;
  readonly peak: number;
  /** Distinct connections (TLS handshakes, for HTTPS) the requests came on since tracking began. */
  readonly connections: number;
  /** Starts a new peak from the current count. */
  resetPeak(): void;
  stop(): void;
}

export function trackInFlightRequests(): InFlightTracker {
  let current = 0;
  let peak = 0;
  let connections = 0;
  const sockets = new WeakSet<object>();
  const onStart = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (!sockets.has(request.socket)) {
      sockets.add(request.socket);
      connections += 1;
    }
    current += 1;
    if (current > peak) peak = current;
    response.once("close", () => {
      current -= 1;
    });
  };
  subscribe("http.server.request.start", onStart);
  return {
    get current() {
      return current;
    },
    get peak() {
      return peak;
    },
    get connections() {
      return connections;
    },
    resetPeak() {
      peak = current;
    },
    stop() {
      unsubscribe("http.server.request.start", onStart);
    },
  };
}
