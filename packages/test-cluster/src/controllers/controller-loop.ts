// The shape every controller here shares: a store change schedules one reconcile pass on the next
// turn of the event loop (changes in a burst are handled together), and timers can ask for more.
import type { ObjectStore, StoreEvent } from "../store/object-store.ts";

export class ControllerLoop {
  private scheduled = false;
  private stopped = false;
  private unsubscribe: () => void = () => {};
  /** Pending wake-ups by due time, so asking twice for the same moment sets one timer. */
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly reconcile: () => void) {}

  watch(store: ObjectStore, interested: (event: StoreEvent) => boolean = () => true): void {
    this.unsubscribe = store.subscribe((event) => {
      if (interested(event)) this.schedule();
    });
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.reconcile();
    });
  }

  /** Reconciles again after `ms` (deadlines, TTLs, retries). */
  scheduleAfter(ms: number): void {
    if (this.stopped) return;
    const due = Math.ceil(Date.now() + Math.max(0, ms));
    if (this.timers.has(due)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(due);
        this.schedule();
      },
      Math.max(0, ms),
    );
    this.timers.set(due, timer);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
