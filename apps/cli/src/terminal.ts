// Everything the CLI writes goes through here: machine output (text results, JSON, YAML) on stdout,
// progress, pod logs and errors on stderr, each line passed through the token redactor first.
// Colours come from Node's util.styleText, which checks the stream it is given: no colour when the
// stream is not a TTY, when NO_COLOR or NODE_DISABLE_COLORS is set, or TERM=dumb; FORCE_COLOR forces it.
// (The `stream` option exists on Node 20.18+ and 22.13+, so on every Node this package supports;
// formats are applied one at a time because Node 20.20 skips that check for an array of formats.)
import { styleText } from "node:util";

// The YAML writer is loaded only for -o yaml (loadYamlOutput, called before the command runs), so
// `--help` and text output start without it.
let toYaml: ((value: unknown) => string) | undefined;

export async function loadYamlOutput(): Promise<void> {
  toYaml ??= (await import("./yaml-output.ts")).toYaml;
}

export type OutputMode = "text" | "json" | "yaml";
export const OUTPUT_MODES: readonly OutputMode[] = ["text", "json", "yaml"];

type SingleFormat = Extract<Parameters<typeof styleText>[0], string>;
type StyleFormat = SingleFormat | SingleFormat[];

/** styleText one format at a time: Node 20.20 skips the stream check when given an array of formats. */
function styled(format: StyleFormat, text: string, stream: NodeJS.WriteStream): string {
  const formats = Array.isArray(format) ? format : [format];
  return formats.reduceRight((inner, one) => styleText(one, inner, { stream }), text);
}

export interface TerminalOptions {
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  mode?: OutputMode;
  /** Removes secrets from every line before it is written. */
  redact?: (text: string) => string;
}

const spinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly mode: OutputMode;
  private redactText: (text: string) => string;
  private phaseText: string | undefined;
  private phaseStarted = 0;
  private spinnerFrame = 0;
  private spinnerTimer: NodeJS.Timeout | undefined;
  private phaseDrawn = false;

  constructor(options: TerminalOptions = {}) {
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.mode = options.mode ?? "text";
    this.redactText = options.redact ?? ((text) => text);
  }

  /** Swap in a redactor that knows more secrets (once the token is loaded). */
  setRedactor(redact: (text: string) => string): void {
    this.redactText = redact;
  }

  redact(text: string): string {
    return this.redactText(text);
  }

  /** Styled for stderr (progress, errors). */
  style(format: StyleFormat, text: string): string {
    return styled(format, text, this.stderr);
  }

  /** Styled for stdout (text results). */
  styleOut(format: StyleFormat, text: string): string {
    return styled(format, text, this.stdout);
  }

  /** A progress or log line on stderr, kept clear of the animated phase line. */
  info(line: string): void {
    this.clearPhase();
    this.stderr.write(`${this.redact(line)}\n`);
    this.drawPhase();
  }

  warn(line: string): void {
    this.info(`${this.style("yellow", "warning:")} ${line}`);
  }

  /** A line of the command's result on stdout. */
  out(line: string): void {
    this.clearPhase();
    this.stdout.write(`${this.redact(line)}\n`);
    this.drawPhase();
  }

  /** Raw text on stdout (already formatted, e.g. YAML manifests). */
  write(text: string): void {
    this.clearPhase();
    this.stdout.write(this.redact(text));
    this.drawPhase();
  }

  /** A machine-readable document on stdout in the chosen mode (text mode: nothing, the caller prints). */
  document(value: unknown): void {
    if (this.mode === "json") this.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (this.mode === "yaml") {
      if (!toYaml) throw new Error("internal: -o yaml output before loadYamlOutput()");
      this.write(toYaml(value));
    }
  }

  /**
   * What the CLI is waiting for. On a TTY it is one animated line, redrawn in place; elsewhere each
   * new phase is printed once as a plain line, so piped and captured output stays readable.
   */
  phase(text: string): void {
    if (text === this.phaseText) return;
    this.clearPhase();
    this.phaseText = text;
    this.phaseStarted = Date.now();
    if (!this.stderr.isTTY) {
      this.stderr.write(`${this.style("dim", "•")} ${this.redact(text)}\n`);
      return;
    }
    this.drawPhase();
    if (!this.spinnerTimer) {
      this.spinnerTimer = setInterval(() => {
        this.spinnerFrame = (this.spinnerFrame + 1) % spinnerFrames.length;
        this.clearPhase();
        this.drawPhase();
      }, 100);
      this.spinnerTimer.unref();
    }
  }

  /** Ends the phase line (before the verdict, or on exit). */
  endPhase(): void {
    this.clearPhase();
    this.phaseText = undefined;
    if (this.spinnerTimer) clearInterval(this.spinnerTimer);
    this.spinnerTimer = undefined;
  }

  private drawPhase(): void {
    if (!this.phaseText || !this.stderr.isTTY) return;
    const seconds = Math.floor((Date.now() - this.phaseStarted) / 1000);
    const frame = this.style("cyan", spinnerFrames[this.spinnerFrame] ?? "-");
    const elapsed = seconds > 0 ? this.style("dim", ` ${seconds}s`) : "";
    const columns = this.stderr.columns || 80;
    const text = this.redact(this.phaseText).slice(0, Math.max(10, columns - 10));
    this.stderr.write(`${frame} ${text}${elapsed}`);
    this.phaseDrawn = true;
  }

  private clearPhase(): void {
    if (!this.phaseDrawn) return;
    this.stderr.write("\r\x1b[2K");
    this.phaseDrawn = false;
  }
}
