// The GitHub token for a run, loaded once by the CLI through pat-secret (GITHUB_PAT > GITHUB_TOKEN >
// the env file, web/.env by default) so that every line printed afterwards is redacted with it too.
// Only its source and shape are ever shown.
import { loadGitHubToken } from "@pr-pod/pat-secret/pure";
import type { CommandEnvironment } from "./command-environment.ts";
import { redactorFor, tokensInEnvironment } from "./redaction.ts";

export async function loadTokenForRun(environment: CommandEnvironment, envFile: string | undefined): Promise<string> {
  const { terminal } = environment;
  const loaded = await loadGitHubToken({
    env: environment.env,
    ...(envFile ? { envFile } : {}),
    warn: (message) => terminal.warn(message),
  });
  terminal.setRedactor(await redactorFor([...tokensInEnvironment(environment.env), loaded.token]));
  terminal.info(terminal.style("dim", `token: from ${loaded.source} (${loaded.kind})`));
  return loaded.token;
}
