// `pr-pod status`: the runs pr-pod left in the cluster, found by label through the runner.

import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { cleanupSelector, type SelectorFlags } from "../run-selector.ts";
import { loadRunner } from "../runner-module.ts";

interface StatusFlags extends SelectorFlags {
  allNamespaces?: boolean;
}

export interface RunSummaryDocument {
  name: string;
  namespace: string;
  repo: string;
  pr?: number;
  headSha: string;
  status: "pending" | "running" | "succeeded" | "failed" | "unknown";
  reason?: string;
  startTime?: string;
}

function age(ms: number | undefined): string {
  if (ms === undefined) return "?";
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd(),
  );
}

export default async function statusCommand(environment: CommandEnvironment, flags: StatusFlags): Promise<number> {
  const { terminal, globals } = environment;
  const selector = cleanupSelector(flags, { allowEverything: true });
  const { kubeConfig } = environment.loadKube();
  const runner = await loadRunner();
  const namespace = flags.allNamespaces ? undefined : (globals.namespace ?? "default");
  const runs = await runner.listPrPodRuns(kubeConfig, { namespace, selector: selector.filter });
  const items: RunSummaryDocument[] = runs.map((run) => ({
    name: run.jobName,
    namespace: run.namespace,
    repo: run.repo,
    ...(run.pr !== undefined ? { pr: run.pr } : {}),
    headSha: run.headSha,
    status: run.status === "suspended" ? "pending" : run.status,
    ...(run.reason ? { reason: run.reason } : {}),
    ...(run.createdAt ? { startTime: run.createdAt } : {}),
  }));
  terminal.document({ apiVersion: "pr-pod.dev/v1", kind: "RunList", items });
  if (terminal.mode === "text") {
    if (runs.length === 0) {
      terminal.out(
        `no pr-pod runs${selector.description ? ` for ${selector.description}` : ""} in ${namespace ? `namespace ${namespace}` : "any namespace"}`,
      );
      return EXIT_CODES.success;
    }
    const colour = (status: string) =>
      status === "succeeded"
        ? terminal.styleOut("green", status)
        : status === "failed"
          ? terminal.styleOut("red", status)
          : terminal.styleOut("yellow", status);
    const rows = [
      ["RUN", "NAMESPACE", "PR", "SHA", "STATUS", "REASON", "AGE"],
      ...runs.map((run) => [
        run.jobName,
        run.namespace,
        `${run.repo}#${run.pr ?? "?"}`,
        run.headSha.slice(0, 7),
        run.status,
        run.reason ?? "",
        age(run.ageMs),
      ]),
    ];
    const lines = table(rows);
    terminal.out(lines[0]!);
    // Colour after padding so escape codes do not upset the column widths.
    lines.slice(1).forEach((line, index) => {
      const status = runs[index]!.status;
      terminal.out(line.replace(new RegExp(`(\\s)${status}(\\s|$)`), (_m, a, b) => `${a}${colour(status)}${b}`));
    });
  }
  return EXIT_CODES.success;
}
