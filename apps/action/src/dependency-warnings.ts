// Node 24 prints a deprecation warning for url.parse() (DEP0169) the first time it is called, and
// node-fetch 2, which @kubernetes/client-node makes its API calls with, calls it on every request.
// That would put a security-sounding warning about code the action cannot change into every
// workflow log. Only that one warning is dropped; every other warning still prints.
// https://nodejs.org/api/deprecations.html#DEP0169
const SILENCED_WARNING_CODES = new Set(["DEP0169"]);

function warningCode(args: unknown[]): string | undefined {
  const [typeOrOptions, code] = args;
  if (typeof typeOrOptions === "object" && typeOrOptions !== null) {
    return (typeOrOptions as { code?: string }).code;
  }
  return typeof code === "string" ? code : undefined;
}

export function silenceDependencyWarnings(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...args: unknown[]) => {
    const code = warning instanceof Error ? (warning as { code?: string }).code : warningCode(args);
    if (code && SILENCED_WARNING_CODES.has(code)) return;
    return (emitWarning as (...all: unknown[]) => void).call(process, warning, ...args);
  }) as typeof process.emitWarning;
}
