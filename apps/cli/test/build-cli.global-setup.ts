// Builds pr-pod and its libraries with Nx before the CLI tests spawn dist/cli.js. Nx's cache makes
// this a no-op when nothing changed (and `npm test` has already built everything).
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

export default function buildCli(): void {
  // For quick iterations on the tests alone, after a build: PR_POD_CLI_PREBUILT=1 npx vitest run --project pr-pod
  if (process.env.PR_POD_CLI_PREBUILT === "1") return;
  const workspaceRoot = resolve(import.meta.dirname, "../../..");
  execFileSync("npx", ["nx", "run", "pr-pod:build", "--output-style=stream"], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: "false", NX_NO_CLOUD: "true", NX_TUI: "false" },
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 300_000,
  });
}
