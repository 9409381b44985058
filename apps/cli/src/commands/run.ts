import { CliError } from "../cli-error.ts";
import type { CommandEnvironment } from "../command-environment.ts";

export default async function runCommand(_environment: CommandEnvironment, _options: unknown): Promise<number> {
  throw new CliError("NOT_IMPLEMENTED", "pr-pod run is not built yet");
}
