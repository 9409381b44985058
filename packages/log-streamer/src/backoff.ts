// Reconnect pacing shared by the log stream and the watches: short first, capped, with jitter so
// several clients do not reconnect in step after an API server restart.

/** Delay before reconnect attempt `attempt` (1-based): 100 ms doubling up to 5 s, ±20% jitter. */
export function backoffDelayMs(attempt: number): number {
  const base = Math.min(5000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
