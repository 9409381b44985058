// Bounded work: at most `maxRunning` runs at once, at most `maxRunningPerRepo` of one repository,
// and at most `maxQueued` waiting; beyond that the service answers 503 with Retry-After and GitHub
// (or the sender) delivers again later. A run of a PR can be withdrawn while it waits or aborted
// while it runs (superseded by a newer push, or the PR was closed). No I/O: the jobs do it.

export interface QueuedRun {
  /** `owner/repo`: the per-repository cap counts these. */
  repoKey: string;
  /** `owner/repo#number`: what supersede and close act on. */
  prKey: string;
  headSha: string;
  deliveryId: string;
  /** Does the work; must settle, and must end soon after `signal` aborts. */
  execute(signal: AbortSignal): Promise<void>;
  /** Called instead of execute when the run was withdrawn while it waited. */
  withdrawn?(reason: string): void;
}

export interface RunQueueOptions {
  maxRunning: number;
  maxRunningPerRepo: number;
  maxQueued: number;
  onChange?: (depth: { queued: number; running: number }) => void;
}

interface RunningEntry {
  run: QueuedRun;
  controller: AbortController;
  done: Promise<void>;
}

export class RunQueue {
  readonly #options: RunQueueOptions;
  readonly #waiting: QueuedRun[] = [];
  readonly #running = new Set<RunningEntry>();
  #reserved = 0;
  #closed = false;

  constructor(options: RunQueueOptions) {
    this.#options = options;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running.size;
  }

  /** True once close() was called: nothing new starts. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Holds a place for a run about to be added (the claim in the cluster comes first). False when full. */
  reserve(): boolean {
    if (this.#closed || this.#waiting.length + this.#reserved >= this.#options.maxQueued) return false;
    this.#reserved++;
    return true;
  }

  release(): void {
    this.#reserved = Math.max(0, this.#reserved - 1);
  }

  /** Adds a run whose place was reserved. */
  add(run: QueuedRun): void {
    this.release();
    if (this.#closed) {
      run.withdrawn?.("the service is shutting down");
      return;
    }
    this.#waiting.push(run);
    this.#pump();
  }

  /** Is a run of this PR and SHA waiting or running here already? */
  has(prKey: string, headSha: string): boolean {
    return (
      this.#waiting.some((run) => run.prKey === prKey && run.headSha === headSha) ||
      [...this.#running].some((entry) => entry.run.prKey === prKey && entry.run.headSha === headSha)
    );
  }

  /**
   * Withdraws waiting runs and aborts running ones of a PR, except those of `keepSha`; resolves when
   * the aborted ones have finished (cleaned up). Returns how many were affected.
   */
  async cancel(prKey: string, reason: string, keepSha?: string): Promise<number> {
    const matches = (run: QueuedRun) => run.prKey === prKey && run.headSha !== keepSha;
    const withdrawn = this.#waiting.filter(matches);
    for (const run of withdrawn) {
      this.#waiting.splice(this.#waiting.indexOf(run), 1);
      run.withdrawn?.(reason);
    }
    const aborted = [...this.#running].filter((entry) => matches(entry.run));
    for (const entry of aborted) entry.controller.abort(new Error(reason));
    this.#notify();
    await Promise.all(aborted.map((entry) => entry.done));
    return withdrawn.length + aborted.length;
  }

  /**
   * Stops starting runs; waits up to `graceMs` for the running ones, then aborts them and waits for
   * their cleanup. Returns the runs that were still waiting (their claims stay for a restart).
   */
  async close(graceMs: number, reason = "the service is shutting down"): Promise<QueuedRun[]> {
    this.#closed = true;
    const left = this.#waiting.splice(0);
    this.#notify();
    const all = Promise.all([...this.#running].map((entry) => entry.done));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"grace-over">((resolve) => {
      timer = setTimeout(() => resolve("grace-over"), graceMs);
    });
    const first = await Promise.race([all.then(() => "done" as const), graceOver]);
    clearTimeout(timer);
    if (first === "grace-over") {
      for (const entry of this.#running) entry.controller.abort(new Error(reason));
      await all;
    }
    return left;
  }

  #pump(): void {
    const { maxRunning, maxRunningPerRepo } = this.#options;
    while (!this.#closed && this.#running.size < maxRunning) {
      const index = this.#waiting.findIndex((run) => this.#runningOf(run.repoKey) < maxRunningPerRepo);
      if (index < 0) break;
      const [run] = this.#waiting.splice(index, 1);
      if (run) this.#start(run);
    }
    this.#notify();
  }

  #runningOf(repoKey: string): number {
    let count = 0;
    for (const entry of this.#running) if (entry.run.repoKey === repoKey) count++;
    return count;
  }

  #start(run: QueuedRun): void {
    const controller = new AbortController();
    const entry: RunningEntry = { run, controller, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        await run.execute(controller.signal);
      } catch {
        // execute reports its own failures; a throw must not stop the queue
      } finally {
        this.#running.delete(entry);
        this.#pump();
      }
    })();
    this.#running.add(entry);
  }

  #notify(): void {
    this.#options.onChange?.({ queued: this.#waiting.length, running: this.#running.size });
  }
}
