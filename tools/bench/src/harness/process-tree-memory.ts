// Samples the resident memory of process trees from /proc (Linux): the sum of RSS of a root process
// and all its descendants, and the highest sum seen. Children that report their own peak (Node's
// process.resourceUsage().maxRSS) are more exact; this is for trees we cannot instrument (bash + kubectl).
import { readdirSync, readFileSync } from "node:fs";

const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  rssBytes: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces; fields after it are fixed.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), rssBytes: Number(fields[21]) * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** RSS of the trees under `roots` (roots included), summed. */
export function treeRssBytes(roots: ReadonlySet<number>): { bytes: number; processes: number } {
  const procs = allProcesses();
  const children = new Map<number, ProcStat[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  let bytes = 0;
  let processes = 0;
  const stack = [...roots];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = byPid.get(pid);
    if (stat) {
      bytes += stat.rssBytes;
      processes += 1;
    }
    for (const child of children.get(pid) ?? []) stack.push(child.pid);
  }
  return { bytes, processes };
}

/** Samples every `intervalMs` until stopped; returns the peak total RSS and the most processes seen. */
export function sampleTreeMemory(
  roots: ReadonlySet<number>,
  intervalMs = 100,
): { stop(): { peakBytes: number; peakProcesses: number } } {
  let peakBytes = 0;
  let peakProcesses = 0;
  const sample = () => {
    const { bytes, processes } = treeRssBytes(roots);
    peakBytes = Math.max(peakBytes, bytes);
    peakProcesses = Math.max(peakProcesses, processes);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakBytes, peakProcesses };
    },
  };
}
