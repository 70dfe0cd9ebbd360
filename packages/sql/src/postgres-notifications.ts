// PostgreSQL LISTEN/NOTIFY invalidation: the payload format, and LISTEN on a caller's connection.
import type { InvalidationEvent, Unsubscribe } from '@keygate/core';

/**
 * A notification as `pg` delivers it.
 *
 * @example
 * ```ts
 * client.on('notification', (message: PostgresNotification) => console.log(message.channel));
 * ```
 */
export interface PostgresNotification {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/**
 * The subset of a `pg.Client` that LISTEN needs. Give the store a dedicated, connected client:
 * a pooled connection may be handed to someone else, and with it the subscription.
 *
 * @example
 * ```ts
 * const client = new pg.Client({ connectionString });
 * await client.connect();
 * const listener: PostgresListenerConnection = client;
 * const store = new SqlKeyStore({ db, listener });
 * ```
 */
export interface PostgresListenerConnection {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  off?(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  removeListener?(
    event: 'notification',
    listener: (message: PostgresNotification) => void,
  ): unknown;
}

/** The JSON that `pg_notify` carries: `{"id": …, "hash": …}`, the hash before the change. */
export function encodeInvalidationPayload(event: InvalidationEvent): string {
  return JSON.stringify({ id: event.id, hash: event.hash });
}

/**
 * The event in a notification payload, or `null` when it is not one: anyone who can connect may
 * NOTIFY on the channel, so a bad payload is ignored, never thrown.
 */
export function parseInvalidationPayload(payload: string | undefined): InvalidationEvent | null {
  if (typeof payload !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { id, hash } = value as { id?: unknown; hash?: unknown };
  return typeof id === 'string' && typeof hash === 'string' ? { id, hash } : null;
}

type EventListener = (event: InvalidationEvent) => void;

/**
 * The LISTENs of one connection. Stores that share a connection share this hub, so that one
 * store's UNLISTEN never silences another's subscription on the same channel.
 */
class NotificationHub {
  readonly #connection: PostgresListenerConnection;
  readonly #listeners = new Map<string, Set<EventListener>>();
  readonly #listening = new Set<string>();
  // LISTEN and UNLISTEN run one at a time, so a quick subscribe/unsubscribe/subscribe ends in the
  // state the last call asked for.
  #queue: Promise<void> = Promise.resolve();
  #attached = false;

  constructor(connection: PostgresListenerConnection) {
    this.#connection = connection;
  }

  /** Adds `listener` on `channel`; resolves once LISTEN is in effect. */
  async add(channel: string, listener: EventListener): Promise<Unsubscribe> {
    // A wrapper per call, so the same function subscribed twice is two subscriptions.
    const entry: EventListener = (event) => listener(event);
    const listeners = this.#listeners.get(channel) ?? new Set<EventListener>();
    this.#listeners.set(channel, listeners);
    listeners.add(entry);
    try {
      await this.#sync(channel);
    } catch (error) {
      listeners.delete(entry);
      await this.#sync(channel).catch(() => {});
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      listeners.delete(entry);
      await this.#sync(channel);
    };
  }

  #sync(channel: string): Promise<void> {
    const run = this.#queue.then(() => this.#apply(channel));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #apply(channel: string): Promise<void> {
    const wanted = (this.#listeners.get(channel)?.size ?? 0) > 0;
    if (wanted === this.#listening.has(channel)) {
      // After a failed LISTEN nobody may be left listening: let go of the connection's events.
      if (!wanted) this.#detachIfIdle();
      return;
    }
    if (wanted) {
      // Listen for messages before LISTEN, so nothing sent right after it is missed.
      this.#attach();
      try {
        await this.#connection.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        this.#detachIfIdle();
        throw error;
      }
      this.#listening.add(channel);
    } else {
      this.#listening.delete(channel);
      this.#listeners.delete(channel);
      this.#detachIfIdle();
      await this.#connection.query(`UNLISTEN ${quoteIdentifier(channel)}`);
    }
  }

  #attach(): void {
    if (this.#attached) return;
    this.#connection.on('notification', this.#onNotification);
    this.#attached = true;
  }

  #detachIfIdle(): void {
    if (!this.#attached || this.#listening.size > 0) return;
    for (const listeners of this.#listeners.values()) if (listeners.size > 0) return;
    if (typeof this.#connection.off === 'function') {
      this.#connection.off('notification', this.#onNotification);
    } else {
      this.#connection.removeListener?.('notification', this.#onNotification);
    }
    this.#attached = false;
  }

  readonly #onNotification = (message: PostgresNotification): void => {
    const listeners = this.#listeners.get(message.channel);
    if (listeners === undefined || listeners.size === 0) return;
    const event = parseInvalidationPayload(message.payload);
    if (event === null) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // This runs inside pg's socket handler: a throwing subscriber must not break the
        // connection or the other subscribers.
      }
    }
  };
}

const hubs = new WeakMap<PostgresListenerConnection, NotificationHub>();

/**
 * Subscribes `listener` to invalidation events on `channel` over `connection`; resolves once
 * LISTEN is in effect. The returned function unsubscribes, and UNLISTENs with the last one.
 */
export function listenForInvalidations(
  connection: PostgresListenerConnection,
  channel: string,
  listener: (event: InvalidationEvent) => void,
): Promise<Unsubscribe> {
  let hub = hubs.get(connection);
  if (hub === undefined) {
    hub = new NotificationHub(connection);
    hubs.set(connection, hub);
  }
  return hub.add(channel, listener);
}

/** `name` as a double-quoted PostgreSQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
