// CPU time and memory of processes, from Linux's /proc: a child's peak and current RSS and CPU time
// while it runs, and what this process and its exited children have used so far.
import { readFileSync } from "node:fs";

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
