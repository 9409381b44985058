import { CliError } from "../cli-error.ts";
import type { CommandBody } from "../command-environment.ts";

export function clusterCommand(name: "up" | "down" | "status"): CommandBody<unknown> {
  return async () => {
    throw new CliError("NOT_IMPLEMENTED", `pr-pod cluster ${name} is not built yet`);
  };
}
