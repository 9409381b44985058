import type { FigureReport } from "../report.ts";
export async function measureLogLatency(..._args: unknown[]): Promise<FigureReport> {
  throw new Error("not written yet");
}
