// Counts verifications per key per UTC day in memory and adds them to the store in one batch per
// interval, like last-used times: a request never waits on (or fails with) that write.
import { DeadlineExceededError, withDeadline } from '../deadline.js';
import type { KeyStore } from '../key-store.js';
import { PeriodicFlush } from '../periodic-flush.js';
import type { VerifyResult } from '../verifier-result.js';
import { type UsageEntry, usageDayOf } from './usage-entry.js';

const DAY_MS = 86_400_000;
/** Counts kept while the store is failing; beyond this new keys are not counted. */
const MAX_PENDING = 100_000;

interface Cell {
  readonly keyId: string;
  readonly day: number;
  accepted: number;
  refused: number;
}

/** Counts accepted and refused verifications per key and day, and flushes them in batches. */
export class UsageRecorder {
  readonly #store: KeyStore;
  readonly #timeoutMs: number;
  readonly #onError: (error: unknown) => void;
  // The open cell of each key (today's); cells of earlier days wait in #closed.
  #cells = new Map<string, Cell>();
  #closed: Cell[] = [];
  // The day being counted and when it ends: a hit compares, it does not divide.
  #day = 0;
  #dayEndsAt = 0;
  // A write is due (the timer is set): a hit skips scheduling.
  #due = false;
  readonly #flusher: PeriodicFlush;

  constructor(
    store: KeyStore,
    flushIntervalMs: number,
    timeoutMs: number,
    onError: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#flusher = new PeriodicFlush(flushIntervalMs, () => this.#write());
    this.#timeoutMs = timeoutMs;
    this.#onError = onError;
  }

  /** Counts one answer for key `keyId` at `now`; a Promise is counted once it settles. */
  count(keyId: string, answer: VerifyResult | Promise<VerifyResult>, now: number): void {
    if (answer instanceof Promise) {
      answer.then((settled) => this.#add(keyId, settled.ok, now)).catch(() => {});
    } else {
      this.#add(keyId, answer.ok, now);
    }
  }

  /** Adds every pending count to the store now. Never rejects: a failed batch is kept. */
  flush(): Promise<void> {
    return this.#flusher.flush();
  }

  /** Stops the timer and writes what is pending. */
  close(): Promise<void> {
    return this.#flusher.close();
  }

  #add(keyId: string, accepted: boolean, now: number): void {
    if (now >= this.#dayEndsAt || now < this.#dayEndsAt - DAY_MS) {
      this.#day = Math.floor(now / DAY_MS);
      this.#dayEndsAt = (this.#day + 1) * DAY_MS;
    }
    const day = this.#day;
    let cell = this.#cells.get(keyId);
    if (cell === undefined || cell.day !== day) {
      if (cell !== undefined) this.#closed.push(cell);
      else if (this.#cells.size >= MAX_PENDING) return;
      cell = { keyId, day, accepted: 0, refused: 0 };
      this.#cells.set(keyId, cell);
    }
    if (accepted) cell.accepted++;
    else cell.refused++;
    if (!this.#due) {
      this.#due = true;
      this.#flusher.schedule();
    }
  }

  async #write(): Promise<void> {
    this.#due = false;
    if (this.#cells.size === 0 && this.#closed.length === 0) return;
    const batch = [...this.#closed, ...this.#cells.values()];
    this.#cells = new Map();
    this.#closed = [];
    const entries: UsageEntry[] = batch.map((cell) => ({
      keyId: cell.keyId,
      date: usageDayOf(cell.day * DAY_MS),
      accepted: cell.accepted,
      refused: cell.refused,
    }));
    try {
      // Counts are added, not set: a write that lands after its deadline and is then retried
      // would count twice, so a timed-out batch is dropped (and reported), not retried.
      await withDeadline(
        () => this.#store.recordUsage!(entries),
        this.#timeoutMs,
        `the key store did not record usage counts within ${this.#timeoutMs} ms`,
      );
    } catch (error) {
      this.#onError(error);
      if (error instanceof DeadlineExceededError) return;
      // Refused outright: nothing was added, so the counts go back for the next attempt.
      // Newest first: a key's latest day becomes its open cell again, earlier days wait closed.
      for (let index = batch.length - 1; index >= 0; index--) this.#restore(batch[index]!);
      this.#flusher.schedule();
    }
  }

  #restore(cell: Cell): void {
    const open = this.#cells.get(cell.keyId);
    if (open === undefined) {
      // Open again: counts of the same day that come next are added to it, not listed twice.
      this.#cells.set(cell.keyId, cell);
    } else if (open.day === cell.day) {
      open.accepted += cell.accepted;
      open.refused += cell.refused;
    } else if (this.#closed.length < MAX_PENDING) {
      this.#closed.push(cell);
    }
  }
}
