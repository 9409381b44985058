// Summaries of repeated measurements: median with min–max for a handful of rounds, nearest-rank
// percentiles for long series (log latency).

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the middle two for an even count), min and max; undefined for no values. */
export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, n: sorted.length };
}

/** Nearest-rank percentile (p in 0..100) of already sorted values. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function percentiles(values: readonly number[], ps: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of ps) out[`p${p}`] = percentileOfSorted(sorted, p);
  return out;
}

/** "812 ms (790–840)" style text of a spread, with a unit and digits after the point. */
export function formatSpread(value: Spread | undefined, unit: string, digits = 0): string {
  if (!value) return "n/a";
  const f = (x: number) => `${x.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
  const g = (x: number) => x.toFixed(digits);
  return value.n > 1 ? `${f(value.median)} (${g(value.min)}–${g(value.max)})` : f(value.median);
}
