// The verifier's subscription to the store's invalidation events (docs/design.md, "Caching and
// invalidation"): held while the verifier lives, retried until it holds when the store was down
// at start, and a reason to empty the cache whenever events may have been missed.
import { withDeadline } from './deadline.js';
import type { InvalidationEvent, KeyStore, SubscriptionMonitor, Unsubscribe } from './key-store.js';
import { publishSubscriptionChange } from './verify-events.js';

/** How long to wait before trying again to subscribe to the store's invalidation events. */
const SUBSCRIBE_RETRY_MS = 5_000;

/** What the subscription tells its owner. */
export interface SubscriptionListener {
  readonly onEvent: (event: InvalidationEvent) => void;
  /** Events may have been missed (a late first subscription, or the store's resync). */
  readonly onMissedEvents: () => void;
  readonly onError: (error: unknown) => void;
}

/** A subscription to `store`'s invalidation events, if the store offers them. */
export class StoreSubscription {
  /** Settles after the first attempt, held or not. */
  readonly ready: Promise<void>;
  readonly #store: KeyStore;
  readonly #timeoutMs: number;
  readonly #listener: SubscriptionListener;
  #unsubscribe: Unsubscribe | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(store: KeyStore, timeoutMs: number, listener: SubscriptionListener) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    this.#listener = listener;
    this.ready = this.#subscribe(false);
  }

  /** Stops retrying and ends the subscription (errors go to the listener). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    try {
      await this.ready;
      await this.#unsubscribe?.();
    } catch (error) {
      this.#listener.onError(error);
    }
  }

  // A failed subscription (the store was down at start) is retried until it holds, and the cache
  // is then emptied: events may have been missed. Once it holds, the store keeps it up and says
  // when it lost and regained it.
  async #subscribe(isRetry: boolean): Promise<void> {
    const subscribe = this.#store.subscribe;
    if (typeof subscribe !== 'function' || this.#closed) return;
    const listener = this.#listener;
    const monitor: SubscriptionMonitor = {
      onLost: (error) => {
        publishSubscriptionChange(true, error);
        listener.onError(error);
      },
      onResync: () => {
        publishSubscriptionChange(false);
        listener.onMissedEvents();
      },
    };
    try {
      // A subscription confirmed after its deadline is ended at once: nobody holds it.
      const unsubscribe = await withDeadline(
        () => subscribe.call(this.#store, (event) => listener.onEvent(event), monitor),
        this.#timeoutMs,
        `the key store did not confirm the subscription within ${this.#timeoutMs} ms`,
        (late) =>
          void Promise.resolve()
            .then(late)
            .catch(() => {}),
      );
      if (this.#closed) {
        await unsubscribe();
        return;
      }
      this.#unsubscribe = unsubscribe;
      if (isRetry) {
        publishSubscriptionChange(false);
        listener.onMissedEvents();
      }
    } catch (error) {
      listener.onError(error);
      this.#retry = setTimeout(() => void this.#subscribe(true), SUBSCRIBE_RETRY_MS);
      (this.#retry as { unref?: () => void }).unref?.();
    }
  }
}
