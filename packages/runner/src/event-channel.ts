// The pipe between a run and its front end: the run pushes events as they happen; the front end
// iterates them (once) and/or awaits the result. Events wait in a queue until iterated. A run that
// is never iterated keeps only its last events, so a long log does not pile up in memory.

/** How many events are kept for a consumer that has not started iterating. */
const UNREAD_LIMIT = 10_000;

export class EventChannel<E, R> implements AsyncIterable<E> {
  readonly result: Promise<R>;
  #queue: E[] = [];
  #iterating = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #resolve!: (value: R) => void;
  #reject!: (error: unknown) => void;
  #failure: { error: unknown } | undefined;

  constructor() {
    this.result = new Promise<R>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A consumer that only iterates must not see an "unhandled rejection" for the result.
    this.result.catch(() => {});
  }

  push(event: E): void {
    if (this.#closed) return;
    this.#queue.push(event);
    if (!this.#iterating && this.#queue.length > UNREAD_LIMIT) this.#queue.shift();
    this.#wake?.();
  }

  /** Ends the stream of events and settles the result. */
  finish(result: R): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resolve(result);
    this.#wake?.();
  }

  /** Ends the stream with an error: iteration throws it after the queued events, the result rejects. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = { error };
    this.#reject(error);
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<E> {
    if (this.#iterating) throw new Error("a run's events can be iterated only once: keep one for-await loop per run");
    this.#iterating = true;
    for (;;) {
      const event = this.#queue.shift();
      if (event !== undefined) {
        yield event;
        continue;
      }
      if (this.#closed) {
        if (this.#failure) throw this.#failure.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
