// Concurrent requests with one key share one store read: the first starts it, the others await
// the same promise until it settles.

/** Loads in flight by key. */
export class SharedLoads<V> {
  readonly #inFlight = new Map<string, Promise<V>>();

  /** The load in flight for `key`, or a new one started with `load`. */
  run(key: string, load: () => Promise<V>): Promise<V> {
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const loading = load().finally(() => {
      if (this.#inFlight.get(key) === loading) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, loading);
    return loading;
  }

  /** Requests from now on start a new load for `key` (its answer may be out of date). */
  forget(key: string): void {
    this.#inFlight.delete(key);
  }

  clear(): void {
    this.#inFlight.clear();
  }
}
