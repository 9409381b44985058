// How long the pod's script ran, from what can actually be measured. Kubernetes writes a container's
// startedAt/finishedAt with one-second precision (metav1.Time is RFC 3339 without fractions), so a pod
// that ran 0.7 s can show 0 s, and one that ran 1.1 s can show 2 s. The script measures itself on a
// monotonic clock (/proc/uptime, centiseconds) and reports it as durationsMs.total: that comes first.
// Whole-second timestamps are used only where a second either way is small (10 s and more); otherwise
// there is no pod duration, and nothing is printed.
import type { PrPodReport } from "@pr-pod/file-verifier";

/** Below this, whole-second timestamps are too coarse to give a duration. */
export const COARSE_TIMESTAMP_MIN_MS = 10_000;

export function podDurationMs(
  timestamps: { startedAt?: string; finishedAt?: string },
  report?: Pick<PrPodReport, "durationsMs">,
): number | undefined {
  const measured = report?.durationsMs?.total;
  if (typeof measured === "number" && Number.isFinite(measured) && measured >= 0) return measured;
  if (!timestamps.startedAt || !timestamps.finishedAt) return undefined;
  const started = Date.parse(timestamps.startedAt);
  const finished = Date.parse(timestamps.finishedAt);
  if (!Number.isFinite(started) || !Number.isFinite(finished) || finished < started) return undefined;
  const wholeSeconds = started % 1000 === 0 && finished % 1000 === 0;
  const elapsed = finished - started;
  return wholeSeconds && elapsed < COARSE_TIMESTAMP_MIN_MS ? undefined : elapsed;
}
