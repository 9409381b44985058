// What must (and may) exist in a pull request's clone, and how a pattern matches a path. The same glob
// semantics run in two places: as a POSIX ERE inside the pod (grep -E) and as a JS RegExp for local folders.

/** Files the seed project expects in every pull request. */
export const DEFAULT_REQUIRED_FILES: readonly string[] = ["package.json", "README.md", "Dockerfile"];

/** Paths or globs relative to the repository root. `*` and `?` stay within one folder, `**` crosses folders. */
export interface FileSpec {
  /** Must exist; a missing one fails the run. Default DEFAULT_REQUIRED_FILES. */
  required?: readonly string[];
  /** Reported when present or missing, never fails the run. */
  optional?: readonly string[];
}

export interface NormalizedFileSpec {
  required: string[];
  optional: string[];
}

export class FileSpecError extends Error {
  readonly code = "INVALID_FILE_PATTERN";
  constructor(message: string) {
    super(message);
    this.name = "FileSpecError";
  }
}

const GLOB_CHARS = /[*?[]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Checks one pattern: relative, no `..`, no control characters, brackets closed. Returns it without `./`. */
export function normalizePattern(pattern: string): string {
  const trimmed = pattern
    .trim()
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
  const problem =
    trimmed === ""
      ? "is empty"
      : trimmed.startsWith("/")
        ? "is absolute"
        : trimmed.split("/").includes("..")
          ? "climbs out of the repository with '..'"
          : // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
            /[\u0000-\u001f\u007f]/.test(trimmed)
            ? "contains a control character"
            : unclosedBracket(trimmed)
              ? "has a '[' without a closing ']'"
              : undefined;
  if (problem) {
    throw new FileSpecError(
      `file pattern ${JSON.stringify(pattern)} ${problem}: use a path relative to the repository root, e.g. "README.md" or "charts/**/Chart.yaml"`,
    );
  }
  return trimmed;
}

function unclosedBracket(pattern: string): boolean {
  let open = false;
  for (const char of pattern) {
    if (char === "[") open = true;
    else if (char === "]") open = false;
  }
  return open;
}

/** Fills defaults and validates every pattern; a list is taken as the required files. */
export function normalizeFileSpec(spec: FileSpec | readonly string[] = {}): NormalizedFileSpec {
  const full: FileSpec = Array.isArray(spec) ? { required: spec } : (spec as FileSpec);
  const dedupe = (list: readonly string[]) => [...new Set(list.map(normalizePattern))];
  return {
    required: dedupe(full.required ?? DEFAULT_REQUIRED_FILES),
    optional: dedupe(full.optional ?? []),
  };
}

/**
 * A glob as an anchored regular expression source that means the same in JS RegExp and POSIX ERE
 * (busybox `grep -E`): `**` / → any folders, `*` → within a folder, `?` → one character, `[a-z]`, `[!x]`.
 */
export function globToRegexSource(pattern: string): string {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === "*") {
      if (pattern[i + 1] === "*") {
        const slashAfter = pattern[i + 2] === "/";
        out += slashAfter ? "(.*/)?" : ".*";
        i += slashAfter ? 3 : 2;
        continue;
      }
      out += "[^/]*";
    } else if (char === "?") {
      out += "[^/]";
    } else if (char === "[") {
      const close = pattern.indexOf("]", i + 2);
      let body = pattern.slice(i + 1, close);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, "\\\\")}]`;
      i = close + 1;
      continue;
    } else if (/[.+()|^${}\\]/.test(char)) {
      out += `\\${char}`;
    } else {
      out += char;
    }
    i++;
  }
  return `^${out}$`;
}

export function globToRegExp(pattern: string): RegExp {
  return new RegExp(globToRegexSource(pattern));
}
