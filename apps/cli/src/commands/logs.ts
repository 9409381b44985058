// `pr-pod logs <run>`: a run's pod log on stdout (it is this command's output), live with --follow,
// through the runner's log follower (reconnects without losing or repeating lines) and redacted.
import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { handleInterrupts } from "../interrupts.ts";
import { loadRunner } from "../runner-module.ts";

interface LogsFlags {
  follow?: boolean;
  timestamps?: boolean;
}

export default async function logsCommand(
  environment: CommandEnvironment,
  flags: LogsFlags,
  args: string[],
): Promise<number> {
  const jobName = args[0]!;
  const { terminal, globals } = environment;
  const namespace = globals.namespace ?? "default";
  const { kubeConfig } = environment.loadKube();
  const runner = await loadRunner();
  const runs = await runner.listPrPodRuns(kubeConfig, { namespace });
  const run = runs.find((candidate) => candidate.jobName === jobName);
  if (!run) {
    const known = runs.map((candidate) => candidate.jobName);
    throw new CliError("RUN_NOT_FOUND", `no pr-pod run named ${jobName} in namespace ${namespace}`, {
      fix: known.length
        ? `runs there: ${known.slice(0, 5).join(", ")}${known.length > 5 ? ", ..." : ""}`
        : "list the runs with pr-pod status -A",
    });
  }
  const finished = run.status === "succeeded" || run.status === "failed";
  const interrupts = handleInterrupts(terminal, "(nothing to clean up: pr-pod logs only reads)");
  // Without --follow a running pod's log is printed up to now: stop reading once the stream goes quiet.
  const stop = new AbortController();
  const signal = AbortSignal.any([interrupts.signal, stop.signal]);
  try {
    if (!flags.follow && !finished)
      terminal.info(terminal.style("dim", `${jobName} is ${run.status}; add -f to follow it`));
    let quiet: NodeJS.Timeout | undefined;
    const armQuietTimer = () => {
      if (flags.follow || finished) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => stop.abort(), 1000);
    };
    armQuietTimer();
    try {
      for await (const line of runner.followRunLogs(kubeConfig, {
        namespace,
        jobName,
        signal,
        redact: terminal.redact.bind(terminal),
      })) {
        terminal.out(flags.timestamps && line.timestamp ? `${line.timestamp} ${line.line}` : line.line);
        armQuietTimer();
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      clearTimeout(quiet);
    }
    return interrupts.received ? EXIT_CODES.interrupted : EXIT_CODES.success;
  } finally {
    interrupts.dispose();
  }
}
