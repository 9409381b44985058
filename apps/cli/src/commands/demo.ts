import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";

export default async function demoCommand(_environment: CommandEnvironment, _options: unknown): Promise<number> {
  throw new CliError("NOT_IMPLEMENTED", "pr-pod demo is not built yet");
}
