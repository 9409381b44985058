// What every command gets: the terminal (stdout/stderr, output mode, redaction), the global options,
// and a lazy kubeconfig loader (render and simulate --context-only never touch a cluster).
import type { Command } from "commander";
import type { LoadedKubeConfig } from "./kubeconfig.ts";
import { loadYamlOutput, type OutputMode, Terminal } from "./terminal.ts";
import { warmUpTlsInBackground } from "./warm-up-tls.ts";

export interface GlobalOptions {
  output: OutputMode;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  debug?: boolean;
}

export interface CommandEnvironment {
  terminal: Terminal;
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  /** Loads the kubeconfig in the documented order (throws a CliError that says what to do). */
  loadKube(): LoadedKubeConfig;
}

/** Runs a command's body and records its exit code; thrown errors reach main's error renderer. */
export type CommandBody<Options> = (
  environment: CommandEnvironment,
  options: Options,
  args: string[],
) => Promise<number>;

export interface ProgramState {
  exitCode: number;
  terminal?: Terminal;
  debug: boolean;
  /** Extra secrets to redact (the token, once a command loads it). */
  redactor?: (text: string) => string;
}

export interface CommandActionOptions {
  /** false: the command never needs a kubeconfig (render), so client-node is not loaded for it. */
  usesCluster?: boolean;
}

export function commandAction<Options>(
  state: ProgramState,
  body: CommandBody<Options>,
  { usesCluster = true }: CommandActionOptions = {},
) {
  return async function (this: Command, ...params: unknown[]): Promise<void> {
    const command = params[params.length - 1] as Command;
    const args = params.slice(0, -2).flatMap((value) => (Array.isArray(value) ? value : [value])) as string[];
    const globals = command.optsWithGlobals() as GlobalOptions & Options;
    if (globals.output === "yaml") await loadYamlOutput();
    const terminal = new Terminal({ mode: globals.output, redact: state.redactor });
    state.terminal = terminal;
    state.debug = Boolean(globals.debug);
    // client-node is loaded here, once a command that talks to a cluster runs, not for --help, a usage
    // error or render.
    if (usesCluster) warmUpTlsInBackground();
    const loadKubeConfig = usesCluster ? (await import("./kubeconfig.ts")).loadKubeConfig : undefined;
    const environment: CommandEnvironment = {
      terminal,
      globals,
      env: process.env,
      loadKube: () => {
        if (!loadKubeConfig) throw new Error(`internal: pr-pod ${command.name()} was declared as needing no cluster`);
        return loadKubeConfig({ kubeconfig: globals.kubeconfig, context: globals.context });
      },
    };
    state.exitCode = await body(environment, command.opts() as Options, args);
  };
}
