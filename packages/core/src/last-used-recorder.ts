// Records last-used times off the request path: uses are collected in memory and written to the
// store in one batch per interval, so a request never waits on (or fails with) that write.
import { withDeadline } from './deadline.js';
import type { KeyStore } from './key-store.js';
import { PeriodicFlush } from './periodic-flush.js';

/** Entries kept while the store is failing; beyond this the oldest uses are dropped. */
const MAX_PENDING = 100_000;

/** What the recorder needs of a cached key: its id and when its use was last noted. */
export interface UseMark {
  readonly id: string | undefined;
  lastUsedMarkedAt: number;
}

/** Collects last-used times per key id and flushes them to a store in batches. */
export class LastUsedRecorder {
  readonly #store: KeyStore;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, number>();
  readonly #flusher: PeriodicFlush;

  /**
   * @param intervalMs a key's use is noted at most once per this many ms (its precision).
   * @param flushIntervalMs how long uses are collected before one batch write.
   */
  constructor(
    store: KeyStore,
    intervalMs: number,
    flushIntervalMs: number,
    timeoutMs: number,
    onError: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#intervalMs = intervalMs;
    this.#flusher = new PeriodicFlush(flushIntervalMs, () => this.#write());
    this.#timeoutMs = timeoutMs;
    this.#onError = onError;
  }

  /**
   * Notes a cached key's use at `now`, unless its last noted use is younger than the interval:
   * on the hot path, a subtraction and a comparison for nearly every request.
   */
  markUse(key: UseMark, now: number): void {
    if (now - key.lastUsedMarkedAt < this.#intervalMs) return;
    key.lastUsedMarkedAt = now;
    this.add(key.id!, now);
  }

  /** Notes that key `id` was used at `time` (ms). */
  add(id: string, time: number): void {
    this.#keepNewest(id, time);
    this.#flusher.schedule();
  }

  /** Writes every pending time now. Never rejects: a failed batch is kept for the next flush. */
  flush(): Promise<void> {
    return this.#flusher.flush();
  }

  /** Stops the timer and writes what is pending. */
  close(): Promise<void> {
    return this.#flusher.close();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    const entries = Array.from(batch, ([id, time]) => ({ id, lastUsedAt: new Date(time) }));
    try {
      // A stalled store must not hold the batch (nor a shutdown) forever. A write that lands
      // after its deadline is harmless: times only move forwards, so the retry changes nothing.
      await withDeadline(
        () => this.#store.recordLastUsed(entries),
        this.#timeoutMs,
        `the key store did not record last-used times within ${this.#timeoutMs} ms`,
      );
    } catch (error) {
      this.#onError(error);
      // Keep the batch for the next attempt, newer uses winning, within a bound.
      for (const [id, time] of batch) {
        if (this.#pending.size >= MAX_PENDING) break;
        this.#keepNewest(id, time);
      }
      this.#flusher.schedule();
    }
  }

  #keepNewest(id: string, time: number): void {
    const known = this.#pending.get(id);
    if (known === undefined || known < time) this.#pending.set(id, time);
  }
}
