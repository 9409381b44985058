// The runner, loaded when a command needs it (so `--help` does not load client-node and friends).
export type RunnerModule = typeof import("@pr-pod/runner");

export async function loadRunner(): Promise<RunnerModule> {
  return import("@pr-pod/runner");
}
