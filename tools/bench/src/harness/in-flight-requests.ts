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
  /** Starts a new peak from the current count. */
  resetPeak(): void;
  stop(): void;
}

export function trackInFlightRequests(): InFlightTracker {
  let current = 0;
  let peak = 0;
  const onStart = (message: unknown) => {
    const { response } = message as { request: IncomingMessage; response: ServerResponse };
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
    resetPeak() {
      peak = current;
    },
    stop() {
      unsubscribe("http.server.request.start", onStart);
    },
  };
}
