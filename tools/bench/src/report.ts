// What every figure hands back, and how the whole report is printed (a Markdown table, readable in a
// terminal) and written (the same content as JSON).

export interface FigureRow {
  metric: string;
  prPod: string;
  kubectl: string;
  /** Ratio, goal or floor, when the row has one. */
  compare?: string;
}

export interface FigureReport {
  id: number;
  title: string;
  rows: FigureRow[];
  /** Sentences a reader needs to read the rows right (what was scaled down, what missed a goal and why). */
  notes: string[];
  /** The raw numbers behind the rows. */
  data?: unknown;
}

/** A figure that could not run prints one "n/a (why)" row instead of failing the bench. */
export function unavailableFigure(id: number, title: string, why: string): FigureReport {
  return {
    id,
    title,
    rows: [{ metric: "—", prPod: `n/a (${why})`, kubectl: "n/a" }],
    notes: [],
    data: { unavailable: why },
  };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownTable(figures: readonly FigureReport[]): string {
  const lines = [
    "| # | figure | metric | pr-pod | kubectl script | pr-pod / kubectl, goal |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const figure of figures) {
    figure.rows.forEach((row, index) => {
      lines.push(
        `| ${index === 0 ? figure.id : ""} | ${index === 0 ? cell(figure.title) : ""} | ${cell(row.metric)} | ${cell(row.prPod)} | ${cell(row.kubectl)} | ${cell(row.compare ?? "")} |`,
      );
    });
  }
  return lines.join("\n");
}

export function notesText(figures: readonly FigureReport[]): string {
  const out: string[] = [];
  for (const figure of figures) for (const note of figure.notes) out.push(`- (${figure.id}) ${note}`);
  return out.join("\n");
}

export const ms = (value: number, digits = 0) => `${value.toFixed(digits)} ms`;
export const mib = (bytes: number, digits = 0) => `${(bytes / 1024 / 1024).toFixed(digits)} MiB`;
