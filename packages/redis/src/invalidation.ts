// Invalidation over Redis pub/sub: the scripts PUBLISH `{id, hash}` on every update and delete,
// and this relays what arrives on the channel to the store's subscribers.
import type { InvalidationEvent, Unsubscribe } from '@keygate/core';
import type { RedisMessageHandler, RedisSubscriberClient } from './client.js';

/** How long `subscribe` waits for Redis to confirm before it gives up (a lost Redis). */
export const SUBSCRIBE_TIMEOUT_MS = 10_000;

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
  readonly #subscriptions = new Set<{ readonly listener: Listener }>();
  #subscribing: Promise<void> | undefined;
  #holdsChannel = false;
  #listening = false;

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

  /** Adds a listener; resolves once Redis confirmed the subscription. */
  async subscribe(listener: Listener): Promise<Unsubscribe> {
    if (typeof listener !== 'function') {
      throw new TypeError('@keygate/redis: subscribe needs a listener function');
    }
    const subscription = { listener };
    this.#subscriptions.add(subscription);
    if (!this.#listening) {
      this.#subscriber.on('message', this.#onMessage);
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

  async #releaseIfUnused(): Promise<void> {
    if (this.#subscriptions.size > 0) return;
    if (this.#listening) {
      this.#subscriber.off('message', this.#onMessage);
      this.#listening = false;
    }
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
