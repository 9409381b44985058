// Every line the CLI prints passes through pat-secret's redactor (raw, base64, base64url, URL-encoded
// forms), built over the GitHub tokens in play: those in the environment from the start, and the one a
// command loads from the env file once it has it.
import { redactor } from "@pr-pod/pat-secret";

const tokenVariables = ["GITHUB_PAT", "GITHUB_TOKEN", "GH_TOKEN"] as const;

export function tokensInEnvironment(env: NodeJS.ProcessEnv): string[] {
  return tokenVariables.map((name) => env[name]?.trim()).filter((value): value is string => Boolean(value));
}

export function redactorFor(tokens: string[]): (text: string) => string {
  return redactor([...new Set(tokens.filter(Boolean))]);
}

export function defaultRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  return redactorFor(tokensInEnvironment(env));
}
