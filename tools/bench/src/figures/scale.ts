import type { FigureReport } from "../report.ts";
export async function measureScale(..._args: unknown[]): Promise<FigureReport> {
  throw new Error("not written yet");
}
