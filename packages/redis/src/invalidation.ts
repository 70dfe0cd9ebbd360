// Invalidation over Redis pub/sub: the scripts PUBLISH `{id, hash}` on every update and delete,
// and this relays what arrives on the channel to the store's subscribers. When the connection
// drops, subscribers are told (`onLost`); once it is back and the channel confirmed again, they
// are told to resync (`onResync`): whatever was published in between is lost.
import type { InvalidationEvent, SubscriptionMonitor, Unsubscribe } from '@keygate/core';
import type { RedisMessageHandler, RedisSubscriberClient } from './client.js';

/** How long `subscribe` waits for Redis to confirm before it gives up (a lost Redis). */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;

/** After a reconnect whose SUBSCRIBE was not confirmed, how long until the next try. */
const RESYNC_RETRY_MS = 1_000;

// Several stores may share one subscriber connection: a channel is unsubscribed in Redis only
// when the last store that uses it lets go.
const channelUsers = new WeakMap<RedisSubscriberClient, Map<string, number>>();

type Listener = (event: InvalidationEvent) => void;

/** The subscriptions of one store on one channel of one subscriber connection. */
export class InvalidationChannel {
  readonly #subscriber: RedisSubscriberClient;
  readonly #channel: string;
  readonly #onWarning: (message: string) => void;
  // One entry per subscribe call, so the same function subscribed twice is two subscriptions.
  readonly #subscriptions = new Set<{
    readonly listener: Listener;
    readonly monitor: SubscriptionMonitor | undefined;
  }>();
  #subscribing: Promise<void> | undefined;
  #holdsChannel = false;
  #listening = false;
  // The connection dropped after the channel was confirmed, and it is not confirmed again yet.
  #lost = false;
  #resyncRetry: ReturnType<typeof setTimeout> | undefined;

  readonly #onClose = (): void => {
    // ioredis emits `close` for the drop and again for every failed reconnection attempt.
    if (this.#lost || this.#subscribing === undefined) return;
    this.#lost = true;
    const error = new Error(
      '@keygate/redis: the pub/sub connection dropped; invalidation events are missed until it is back',
    );
    this.#onWarning(`${error.message} (reconnecting)`);
    for (const { monitor } of [...this.#subscriptions]) this.#tell(() => monitor?.onLost?.(error));
  };

  readonly #onReady = (): void => {
    if (this.#lost) void this.#resync();
  };

  readonly #onMessage: RedisMessageHandler = (channel, message) => {
    if (channel !== this.#channel) return;
    const event = parseInvalidationEvent(message);
    if (event === undefined) return;
    for (const { listener } of [...this.#subscriptions]) {
      // A throwing listener must not escape into ioredis' reply parser.
      try {
        listener(event);
      } catch (error) {
        this.#onWarning(`@keygate/redis: an invalidation listener threw: ${String(error)}`);
      }
    }
  };

  constructor(
    subscriber: RedisSubscriberClient,
    channel: string,
    onWarning: (message: string) => void,
  ) {
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#onWarning = onWarning;
  }

  /**
   * Adds a listener; resolves once Redis confirmed the subscription. `monitor` learns when the
   * connection drops and when the channel is confirmed again after it.
   */
  async subscribe(listener: Listener, monitor?: SubscriptionMonitor): Promise<Unsubscribe> {
    if (typeof listener !== 'function') {
      throw new TypeError('@keygate/redis: subscribe needs a listener function');
    }
    const subscription = { listener, monitor };
    this.#subscriptions.add(subscription);
    if (!this.#listening) {
      this.#subscriber.on('message', this.#onMessage);
      this.#subscriber.on('close', this.#onClose);
      this.#subscriber.on('ready', this.#onReady);
      this.#listening = true;
    }
    try {
      await this.#ensureSubscribed();
    } catch (error) {
      this.#subscriptions.delete(subscription);
      await this.#releaseIfUnused();
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      this.#subscriptions.delete(subscription);
      await this.#releaseIfUnused();
    };
  }

  /** Drops every listener and lets go of the channel. */
  async close(): Promise<void> {
    this.#subscriptions.clear();
    await this.#releaseIfUnused();
  }

  #ensureSubscribed(): Promise<void> {
    if (this.#subscribing === undefined) {
      if (!this.#holdsChannel) {
        this.#holdsChannel = true;
        changeUsers(this.#subscriber, this.#channel, +1);
      }
      const attempt = withTimeout(
        this.#subscriber.subscribe(this.#channel),
        SUBSCRIBE_TIMEOUT_MS,
        `@keygate/redis: Redis did not confirm the subscription within ${SUBSCRIBE_TIMEOUT_MS} ms`,
      ).then(
        () => undefined,
        (error: unknown) => {
          // The next subscribe tries again (ioredis re-subscribes by itself only what succeeded).
          if (this.#subscribing === attempt) this.#subscribing = undefined;
          throw error;
        },
      );
      this.#subscribing = attempt;
    }
    return this.#subscribing;
  }

  // ioredis re-sends SUBSCRIBE on its own right after the reconnect; this one is confirmed after
  // it (replies come in order), so once it resolves no event can slip past unseen any more.
  async #resync(): Promise<void> {
    clearTimeout(this.#resyncRetry);
    try {
      await withTimeout(
        this.#subscriber.subscribe(this.#channel),
        SUBSCRIBE_TIMEOUT_MS,
        `@keygate/redis: Redis did not confirm the subscription within ${SUBSCRIBE_TIMEOUT_MS} ms`,
      );
    } catch (error) {
      if (!this.#lost || !this.#listening) return;
      this.#onWarning(`@keygate/redis: resubscribing failed (${String(error)}); trying again`);
      this.#resyncRetry = setTimeout(() => void this.#resync(), RESYNC_RETRY_MS);
      this.#resyncRetry.unref?.();
      return;
    }
    if (!this.#lost || !this.#listening) return;
    this.#lost = false;
    this.#onWarning('@keygate/redis: the pub/sub connection is back; subscribers resynced');
    for (const { monitor } of [...this.#subscriptions]) this.#tell(() => monitor?.onResync?.());
  }

  // A throwing monitor must not escape into ioredis' event handlers.
  #tell(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#onWarning(`@keygate/redis: a subscription monitor threw: ${String(error)}`);
    }
  }

  async #releaseIfUnused(): Promise<void> {
    if (this.#subscriptions.size > 0) return;
    if (this.#listening) {
      this.#subscriber.off('message', this.#onMessage);
      this.#subscriber.off('close', this.#onClose);
      this.#subscriber.off('ready', this.#onReady);
      this.#listening = false;
    }
    clearTimeout(this.#resyncRetry);
    this.#lost = false;
    this.#subscribing = undefined;
    if (!this.#holdsChannel) return;
    this.#holdsChannel = false;
    if (changeUsers(this.#subscriber, this.#channel, -1) > 0) return;
    try {
      await withTimeout(
        this.#subscriber.unsubscribe(this.#channel),
        SUBSCRIBE_TIMEOUT_MS,
        'unsubscribe timed out',
      );
    } catch {
      // A lost connection has no subscription left to end; nothing is waiting on this one.
    }
  }
}

/** The event in a channel message, or `undefined` for anything else (which is ignored). */
export function parseInvalidationEvent(message: unknown): InvalidationEvent | undefined {
  if (typeof message !== 'string' || message.length > 4096) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, hash } = value as { id?: unknown; hash?: unknown };
  if (typeof id !== 'string' || typeof hash !== 'string' || id === '' || hash === '') {
    return undefined;
  }
  return { id, hash };
}

function changeUsers(subscriber: RedisSubscriberClient, channel: string, delta: number): number {
  let users = channelUsers.get(subscriber);
  if (users === undefined) {
    users = new Map();
    channelUsers.set(subscriber, users);
  }
  const count = (users.get(channel) ?? 0) + delta;
  if (count > 0) users.set(channel, count);
  else users.delete(channel);
  return count;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    // A pending subscription must not keep a process alive that is otherwise done.
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
