// A bounded, approximately-LRU map in two generations (the quick-lru scheme): a hit in the newer
// generation costs one Map lookup and no reordering, which keeps cache hits cheap.

/** A map that holds at most `2 × maxEntries` entries and drops the least recently used first. */
export class BoundedCache<K, V> {
  readonly #maxEntries: number;
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  #current = new Map<K, V>();
  #previous = new Map<K, V>();

  /** `onEvict` hears of every entry dropped to make room (not of `delete` or `clear`). */
  constructor(maxEntries: number, onEvict?: (key: K, value: V) => void) {
    this.#maxEntries = maxEntries;
    this.#onEvict = onEvict;
  }

  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const old = this.#previous.get(key);
    if (old !== undefined) {
      // Used again: promote it so that it survives the next generation swap.
      this.#previous.delete(key);
      this.#store(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.#current.has(key)) this.#current.set(key, value);
    else {
      this.#previous.delete(key);
      this.#store(key, value);
    }
  }

  delete(key: K): void {
    this.#current.delete(key);
    this.#previous.delete(key);
  }

  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  #store(key: K, value: V): void {
    this.#current.set(key, value);
    if (this.#current.size >= this.#maxEntries) {
      const dropped = this.#previous;
      this.#previous = this.#current;
      this.#current = new Map();
      if (this.#onEvict !== undefined) for (const [k, v] of dropped) this.#onEvict(k, v);
    }
  }
}
