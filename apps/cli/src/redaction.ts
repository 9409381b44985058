// Every line the CLI prints passes through pat-secret's redactor (raw, base64, base64url, URL-encoded
// forms), built over the GitHub tokens in play: those in the environment from the start, and the one a
// command loads (from the env file) once it has it. pat-secret/pure is loaded only when there is a token,
// so `--help` and usage errors start without client-node.

const tokenVariables = ["GITHUB_PAT", "GITHUB_TOKEN", "GH_TOKEN"] as const;

export function tokensInEnvironment(env: NodeJS.ProcessEnv): string[] {
  return tokenVariables.map((name) => env[name]?.trim()).filter((value): value is string => Boolean(value));
}

export async function redactorFor(tokens: string[]): Promise<(text: string) => string> {
  const secrets = [...new Set(tokens.filter(Boolean))];
  if (secrets.length === 0) return (text) => text;
  const { redactor } = await import("@pr-pod/pat-secret/pure");
  return redactor(secrets);
}
