// Finds the GitHub token: explicit option > GITHUB_PAT > GITHUB_TOKEN > an env file (web/.env at the
// repository root by default, as the original scripts had it). Env files are parsed by Node's own
// util.parseEnv (quotes, comments, `export` prefixes). Reports which source won, never the value.
import { readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseEnv } from "node:util";
import { PatSecretError } from "./pat-secret-error.ts";

export const DEFAULT_ENV_FILE = "web/.env";
const TOKEN_VARIABLES = ["GITHUB_PAT", "GITHUB_TOKEN"] as const;

export type GitHubTokenKind =
  | "classic"
  | "fine-grained"
  | "app-installation"
  | "oauth"
  | "app-user"
  | "app-refresh"
  | "unknown";

/** `option`, `GITHUB_PAT`, `GITHUB_TOKEN`, or `env-file:<path>` (the variable inside is GITHUB_PAT or GITHUB_TOKEN). */
export type GitHubTokenSource = "option" | "GITHUB_PAT" | "GITHUB_TOKEN" | `env-file:${string}`;

export interface LoadGitHubTokenOptions {
  /** An explicit token (e.g. an action input): wins over everything else. */
  token?: string;
  /** Environment to read; default process.env. */
  env?: Record<string, string | undefined>;
  /** Where to start looking for the repository root; default process.cwd(). */
  cwd?: string;
  /** Env file to read instead of `<repo root>/web/.env`; relative paths are from cwd. */
  envFile?: string;
  /** Told about a token of unknown shape. Receives no token. */
  warn?: (message: string) => void;
}

export interface LoadedGitHubToken {
  token: string;
  source: GitHubTokenSource;
  kind: GitHubTokenKind;
}

const PREFIXES: Array<[string, GitHubTokenKind]> = [
  ["github_pat_", "fine-grained"],
  ["ghp_", "classic"],
  ["ghs_", "app-installation"],
  ["gho_", "oauth"],
  ["ghu_", "app-user"],
  ["ghr_", "app-refresh"],
];

/**
 * Which kind of GitHub token this looks like, from its documented prefix
 * (https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/).
 */
export function gitHubTokenKind(token: string): GitHubTokenKind {
  for (const [prefix, kind] of PREFIXES) {
    if (token.startsWith(prefix) && /^[A-Za-z0-9_]+$/.test(token) && token.length > prefix.length + 20) return kind;
  }
  return "unknown";
}

async function isPresent(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The folder holding .git (a directory, or a file in worktrees and submodules), walking up from `start`. */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  let current = resolve(start);
  for (;;) {
    if (await isPresent(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function cleaned(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

function checked(token: string, source: GitHubTokenSource, warn?: (message: string) => void): LoadedGitHubToken {
  if (/\s/.test(token)) {
    throw new PatSecretError(
      "INVALID_TOKEN",
      `the GitHub token from ${source} contains whitespace inside it, which no GitHub token has: copy the token again without line breaks or spaces`,
    );
  }
  const kind = gitHubTokenKind(token);
  if (kind === "unknown") {
    warn?.(
      `the GitHub token from ${source} does not look like a GitHub token (expected a ghp_, github_pat_, ghs_, gho_, ghu_ or ghr_ prefix); using it anyway`,
    );
  }
  return { token, source, kind };
}

export async function loadGitHubToken(options: LoadGitHubTokenOptions = {}): Promise<LoadedGitHubToken> {
  const { warn } = options;
  const explicit = cleaned(options.token);
  if (explicit) return checked(explicit, "option", warn);
  const env = options.env ?? process.env;
  for (const name of TOKEN_VARIABLES) {
    const value = cleaned(env[name]);
    if (value) return checked(value, name, warn);
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  let envFile: string;
  if (options.envFile) {
    envFile = resolve(cwd, options.envFile);
  } else {
    const root = await findRepositoryRoot(cwd);
    envFile = join(root ?? cwd, DEFAULT_ENV_FILE);
  }
  const shown = display(envFile, cwd);
  let text: string | undefined;
  try {
    text = await readFile(envFile, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (options.envFile || code !== "ENOENT") {
      throw new PatSecretError(
        "ENV_FILE_UNREADABLE",
        `cannot read the env file ${shown} (${code ?? "error"}): check the path given to --env-file, or set GITHUB_PAT instead`,
      );
    }
  }
  if (text !== undefined) {
    const parsed = parseEnv(text) as Record<string, string | undefined>;
    for (const name of TOKEN_VARIABLES) {
      const value = cleaned(parsed[name]);
      if (value) return checked(value, `env-file:${envFile}`, warn);
    }
  }
  throw new PatSecretError(
    "NO_TOKEN",
    `no GitHub token: looked in the token option, GITHUB_PAT, GITHUB_TOKEN and ${shown} (${text === undefined ? "no such file" : "no GITHUB_PAT or GITHUB_TOKEN in it"}); set GITHUB_PAT, or add GITHUB_PAT=<token> to ${shown}`,
  );
}
