// Every line the CLI prints passes through a redactor that knows the GitHub tokens in play: the ones
// in the environment from the start, and the one a command loads (from the env file) once it has it.
// TODO(pat-secret): swap the body for @pr-pod/pat-secret's redactor once it lands (base64/URL forms).

const tokenVariables = ["GITHUB_PAT", "GITHUB_TOKEN", "GH_TOKEN"] as const;

export function tokensInEnvironment(env: NodeJS.ProcessEnv): string[] {
  return tokenVariables
    .map((name) => env[name])
    .filter((value): value is string => Boolean(value && value.length >= 8));
}

export function redactorFor(tokens: string[]): (text: string) => string {
  const secrets = [...new Set(tokens.filter((token) => token.length >= 8))];
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join("***");
    return result;
  };
}

export function defaultRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  return redactorFor(tokensInEnvironment(env));
}
