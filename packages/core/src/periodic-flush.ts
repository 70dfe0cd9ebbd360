// The timer behind the batch recorders (last-used times, usage counts): a write runs once per
// interval while something is pending, one at a time, and once more on close.

/** Schedules and serialises one recorder's batch writes. */
export class PeriodicFlush {
  readonly #intervalMs: number;
  readonly #write: () => Promise<void>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;

  /** `write` must never reject: it keeps or drops a failed batch and reports it itself. */
  constructor(intervalMs: number, write: () => Promise<void>) {
    this.#intervalMs = intervalMs;
    this.#write = write;
  }

  /** A write will run within the interval (a no-op when one is already due). */
  schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#intervalMs);
    // A pending write must not keep a process alive that has nothing else to do.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Writes now, or joins the write in progress. */
  flush(): Promise<void> {
    this.#flushing ??= this.#write().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer, waits for a write in progress, then writes what is left. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }
}
