// Ctrl-C during a run. The first SIGINT aborts the run's AbortSignal: the runner deletes what it
// created and the run ends "aborted", after which the CLI exits 130. A second SIGINT means "now":
// the process exits 130 at once and prints the `pr-pod cleanup` command that finishes the job.
// SIGTERM (CI cancelling a job) takes the first path, and exits 143.
import { EXIT_CODES } from "./exit-codes.ts";
import type { Terminal } from "./terminal.ts";

export interface InterruptHandling {
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Which signal arrived first, if any. */
  readonly received: "SIGINT" | "SIGTERM" | undefined;
  /** The command that finishes an interrupted cleanup; updated once the run's name is known. */
  setCleanupCommand(command: string): void;
  /** Stops listening (the run is over). */
  dispose(): void;
}

export function handleInterrupts(terminal: Terminal, cleanupCommand: string): InterruptHandling {
  const controller = new AbortController();
  let received: "SIGINT" | "SIGTERM" | undefined;
  let command = cleanupCommand;

  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    if (!received) {
      received = signal;
      terminal.endPhase();
      terminal.info(
        terminal.style(
          "yellow",
          `${signal === "SIGINT" ? "Interrupted" : "Terminated"}: deleting what this run created (press Ctrl-C again to exit now)`,
        ),
      );
      controller.abort(new DOMException(`pr-pod received ${signal}`, "AbortError"));
      return;
    }
    terminal.endPhase();
    terminal.info(terminal.style("yellow", "Exited before cleanup finished. To finish it, run:"));
    terminal.info(`  ${command}`);
    process.exit(signal === "SIGTERM" ? EXIT_CODES.terminated : EXIT_CODES.interrupted);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    setCleanupCommand(next) {
      command = next;
    },
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
