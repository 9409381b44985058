// How a failed command looks: the cause in one line, what led to it, and the fix; the stack only with
// --debug; every word through the token redactor. In -o json|yaml an Error document also goes to
// stdout so scripts see why.
import { CliError } from "./cli-error.ts";
import { errorChain, exitCodeForError } from "./exit-code-for-error.ts";
import type { Terminal } from "./terminal.ts";

export interface ErrorDocument {
  apiVersion: "pr-pod.dev/v1";
  kind: "Error";
  code: string;
  message: string;
  fix?: string;
  exitCode: number;
}

export function renderError(terminal: Terminal, error: unknown, options: { debug?: boolean } = {}): number {
  const exitCode = exitCodeForError(error);
  const chain = errorChain(error);
  const head = chain[0];
  const message = messageOf(head);
  terminal.endPhase();
  terminal.info(`${terminal.style(["red", "bold"], "error:")} ${message}`);
  const seen = new Set([message]);
  for (const cause of chain.slice(1)) {
    const text = messageOf(cause);
    if (seen.has(text)) continue;
    seen.add(text);
    terminal.info(`  ${terminal.style("dim", "caused by:")} ${text}`);
  }
  const fix = fixOf(head);
  if (fix) terminal.info(`  ${terminal.style("green", "fix:")} ${fix}`);
  if (options.debug) {
    for (const entry of chain)
      if (entry instanceof Error && entry.stack) terminal.info(terminal.style("dim", entry.stack));
  } else if (exitCode === 70) {
    terminal.info(terminal.style("dim", "  (run again with --debug for the stack trace, and please report it)"));
  }
  const document: ErrorDocument = {
    apiVersion: "pr-pod.dev/v1",
    kind: "Error",
    code: codeOf(head),
    message: terminal.redact(message),
    ...(fix ? { fix: terminal.redact(fix) } : {}),
    exitCode,
  };
  terminal.document(document);
  return exitCode;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // client-node's ApiException puts the whole response in the message; its body's message is the part people need.
    const body = (error as { body?: unknown }).body;
    const status = (error as { code?: unknown }).code;
    if (typeof status === "number" && body) {
      const parsed = typeof body === "string" ? safeJson(body) : body;
      const apiMessage = (parsed as { message?: unknown } | undefined)?.message;
      if (typeof apiMessage === "string") return `the Kubernetes API answered ${status}: ${apiMessage}`;
    }
    return error.message || error.name;
  }
  return String(error);
}

function fixOf(error: unknown): string | undefined {
  if (error instanceof CliError) return error.fix;
  const fix = (error as { fix?: unknown } | undefined)?.fix;
  return typeof fix === "string" ? fix : undefined;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  if (typeof code === "number") return `HTTP_${code}`;
  return "INTERNAL";
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
