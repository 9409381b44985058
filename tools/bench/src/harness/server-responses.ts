// The responses the servers in this process are writing right now, found by request URL, from Node's
// diagnostics channel. The log-throughput figure reads a log stream's writableLength (bytes queued, not
// yet taken by the client) to feed the pod only as fast as the follower reads, so the feeder stands in
// for a pod whose writes block on a full pipe, and the cluster's memory stays bounded.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
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

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** Peak and current resident memory (bytes) and CPU time used (seconds) of a process, from /proc. */
export function processStats(pid: number): { peakRssBytes: number; rssBytes: number; cpuSeconds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / USER_HZ;
    return { peakRssBytes: kb("VmHWM"), rssBytes: kb("VmRSS"), cpuSeconds };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by this process (the test cluster lives here) and by its children that have
 * exited and been waited for, with theirs (cutime/cstime in /proc/self/stat: bash counts its kubectls).
 */
export function cpuSecondsSoFar(): { own: number; exitedChildren: number } {
  const usage = process.cpuUsage();
  let exitedChildren = Number.NaN;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    exitedChildren = (Number(fields[13]) + Number(fields[14])) / USER_HZ;
  } catch {
    // not Linux
  }
  return { own: (usage.user + usage.system) / 1e6, exitedChildren };
}
