// PostgreSQL LISTEN/NOTIFY invalidation: the payload format, and LISTEN on a caller's connection
// (or on connections the store opens with the caller's opener, replaced when they drop).
import type { InvalidationEvent, SubscriptionMonitor, Unsubscribe } from '@keygate/core';

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
 * a pooled connection may be handed to someone else, and with it the subscription. Its `error`
 * and `end` events tell the store that the connection is gone.
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
  on(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
  off?(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  off?(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
  removeListener?(
    event: 'notification',
    listener: (message: PostgresNotification) => void,
  ): unknown;
  removeListener?(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
  /** Closes the connection; called only on connections the store opened itself. */
  end?(): Promise<unknown>;
}

/**
 * Opens a new, connected, dedicated connection for LISTEN. Given instead of a connection, it
 * lets the store replace a connection that dropped (a PostgreSQL restart, `pg_terminate_backend`)
 * with backoff, as often as needed; the store closes the connections it opened.
 *
 * @example
 * ```ts
 * const listener: OpenPostgresListener = async () => {
 *   const client = new pg.Client({ connectionString });
 *   client.on('error', () => {}); // the store learns of it through 'end'
 *   await client.connect();
 *   return client;
 * };
 * const store = new SqlKeyStore({ db, listener });
 * ```
 */
export type OpenPostgresListener = () => Promise<PostgresListenerConnection>;

/** A connection, or a function that opens one (and so can reopen it after a drop). */
export type PostgresListenerSource = PostgresListenerConnection | OpenPostgresListener;

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

/** The first wait before reopening a dropped LISTEN connection; it doubles up to the cap. */
const RECONNECT_FIRST_MS = 100;
/** The longest wait between two attempts: a PostgreSQL that is back is found within this. */
export const LISTEN_RECONNECT_CAP_MS = 500;

interface Subscription {
  readonly listener: (event: InvalidationEvent) => void;
  readonly monitor: SubscriptionMonitor | undefined;
}

/**
 * The LISTENs of one connection (or one connection opener). Stores that share it share this hub,
 * so that one store's UNLISTEN never silences another's subscription on the same channel. When
 * the connection drops, subscribers are told (`onLost`); with an opener, a new connection is
 * opened with capped backoff, every channel LISTENed again, and subscribers told (`onResync`).
 */
class NotificationHub {
  readonly #open: OpenPostgresListener | undefined;
  readonly #onWarning: (message: string) => void;
  #connection: PostgresListenerConnection | undefined;
  readonly #subscriptions = new Map<string, Set<Subscription>>();
  readonly #listening = new Set<string>();
  // LISTEN, UNLISTEN and reconnection run one at a time, so a quick subscribe/unsubscribe/
  // subscribe ends in the state the last call asked for.
  #queue: Promise<void> = Promise.resolve();
  #attached: PostgresListenerConnection | undefined;
  #lost = false;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(source: PostgresListenerSource, onWarning: (message: string) => void) {
    if (typeof source === 'function') this.#open = source;
    else this.#connection = source;
    this.#onWarning = onWarning;
  }

  /** Adds `listener` on `channel`; resolves once LISTEN is in effect. */
  async add(
    channel: string,
    listener: (event: InvalidationEvent) => void,
    monitor: SubscriptionMonitor | undefined,
  ): Promise<Unsubscribe> {
    // An entry per call, so the same function subscribed twice is two subscriptions.
    const entry: Subscription = { listener, monitor };
    const subscriptions = this.#subscriptions.get(channel) ?? new Set<Subscription>();
    this.#subscriptions.set(channel, subscriptions);
    subscriptions.add(entry);
    try {
      await this.#run(() => this.#apply(channel));
    } catch (error) {
      subscriptions.delete(entry);
      await this.#run(() => this.#apply(channel)).catch(() => {});
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      subscriptions.delete(entry);
      await this.#run(() => this.#apply(channel));
    };
  }

  #run(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => {});
    return run;
  }

  #wanted(channel: string): boolean {
    return (this.#subscriptions.get(channel)?.size ?? 0) > 0;
  }

  #anyWanted(): boolean {
    for (const subscriptions of this.#subscriptions.values())
      if (subscriptions.size > 0) return true;
    return false;
  }

  async #apply(channel: string): Promise<void> {
    if (this.#wanted(channel)) {
      if (this.#listening.has(channel)) return;
      const connection = await this.#connect();
      try {
        await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
      } catch (error) {
        this.#releaseIfIdle();
        throw error;
      }
      this.#listening.add(channel);
      return;
    }
    this.#subscriptions.delete(channel);
    const connection = this.#connection;
    if (this.#listening.delete(channel) && connection !== undefined) {
      try {
        await connection.query(`UNLISTEN ${quoteIdentifier(channel)}`);
      } finally {
        this.#releaseIfIdle();
      }
    } else {
      this.#releaseIfIdle();
    }
  }

  // The connection to LISTEN on, opened (with the opener) when there is none, with its events
  // attached before any LISTEN so that nothing sent right after it is missed.
  async #connect(): Promise<PostgresListenerConnection> {
    let connection = this.#connection;
    if (connection === undefined) {
      if (this.#open === undefined) {
        throw new Error(
          '@keygate/sql: the LISTEN connection was lost; give SqlKeyStore a function that opens one as listener, so that it can reconnect',
        );
      }
      connection = await this.#open();
      this.#connection = connection;
    }
    this.#attach(connection);
    return connection;
  }

  #attach(connection: PostgresListenerConnection): void {
    if (this.#attached === connection) return;
    connection.on('notification', this.#onNotification);
    connection.on('error', this.#onDrop);
    connection.on('end', this.#onDrop);
    this.#attached = connection;
  }

  #detach(): void {
    const connection = this.#attached;
    if (connection === undefined) return;
    this.#attached = undefined;
    for (const [event, handler] of [
      ['notification', this.#onNotification],
      ['error', this.#onDrop],
      ['end', this.#onDrop],
    ] as const) {
      if (typeof connection.off === 'function') connection.off(event as 'error', handler as never);
      else connection.removeListener?.(event as 'error', handler as never);
    }
  }

  // Nobody listens any more: let go of the connection's events, and close a connection the hub
  // opened itself (a given one is the caller's).
  #releaseIfIdle(): void {
    if (this.#listening.size > 0 || this.#anyWanted()) return;
    this.#detach();
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#lost = false;
    if (this.#open !== undefined && this.#connection !== undefined) {
      const opened = this.#connection;
      this.#connection = undefined;
      void opened.end?.().catch(() => {});
    }
  }

  readonly #onDrop = (error?: unknown): void => {
    // pg emits `error` and then `end` for one drop: the first one detaches, the second is moot.
    if (this.#attached === undefined) return;
    this.#detach();
    const dropped = this.#connection;
    if (this.#open !== undefined) this.#connection = undefined;
    this.#listening.clear();
    if (!this.#anyWanted()) return;
    this.#lost = true;
    const reason = error instanceof Error ? error.message : 'connection ended';
    const lost = new Error(
      `@keygate/sql: the LISTEN connection dropped (${reason}); invalidation events are missed until it is back`,
    );
    this.#onWarning(
      this.#open === undefined
        ? `${lost.message}. It cannot be replaced: pass a function that opens the listener connection instead of a connection`
        : `${lost.message} (reconnecting)`,
    );
    for (const subscriptions of this.#subscriptions.values()) {
      for (const { monitor } of [...subscriptions]) this.#tell(() => monitor?.onLost?.(lost));
    }
    if (this.#open !== undefined) {
      void dropped?.end?.().catch(() => {});
      this.#attempt = 0;
      this.#scheduleReconnect();
    }
  };

  #scheduleReconnect(): void {
    const delay = Math.min(RECONNECT_FIRST_MS * 2 ** this.#attempt, LISTEN_RECONNECT_CAP_MS);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#run(() => this.#reconnect());
    }, delay);
    // A pending reconnection must not keep a process alive that is otherwise done.
    (this.#reconnectTimer as { unref?: () => void }).unref?.();
  }

  async #reconnect(): Promise<void> {
    if (!this.#lost || !this.#anyWanted()) return;
    try {
      const connection = await this.#connect();
      for (const [channel, subscriptions] of this.#subscriptions) {
        if (subscriptions.size === 0 || this.#listening.has(channel)) continue;
        await connection.query(`LISTEN ${quoteIdentifier(channel)}`);
        this.#listening.add(channel);
      }
    } catch {
      // Still down: drop what was half opened and try again later, forever.
      const failed = this.#connection;
      this.#detach();
      this.#connection = undefined;
      this.#listening.clear();
      void failed?.end?.().catch(() => {});
      if (this.#lost && this.#anyWanted()) this.#scheduleReconnect();
      return;
    }
    this.#lost = false;
    this.#onWarning('@keygate/sql: the LISTEN connection is back; subscribers resynced');
    for (const subscriptions of this.#subscriptions.values()) {
      for (const { monitor } of [...subscriptions]) this.#tell(() => monitor?.onResync?.());
    }
  }

  readonly #onNotification = (message: PostgresNotification): void => {
    const subscriptions = this.#subscriptions.get(message.channel);
    if (subscriptions === undefined || subscriptions.size === 0) return;
    const event = parseInvalidationPayload(message.payload);
    if (event === null) return;
    for (const { listener } of [...subscriptions]) this.#tell(() => listener(event));
  };

  // This runs inside pg's socket handler: a throwing subscriber must not break the connection or
  // the other subscribers.
  #tell(call: () => void): void {
    try {
      call();
    } catch {
      // ignored on purpose, see above
    }
  }
}

const hubs = new WeakMap<PostgresListenerSource, NotificationHub>();

/**
 * Subscribes `listener` to invalidation events on `channel` over `source` (a connection, or a
 * function that opens one); resolves once LISTEN is in effect. The returned function
 * unsubscribes, and UNLISTENs with the last one. `monitor` learns when the connection drops and,
 * with an opener, when a new one LISTENs again.
 */
export function listenForInvalidations(
  source: PostgresListenerSource,
  channel: string,
  listener: (event: InvalidationEvent) => void,
  monitor?: SubscriptionMonitor,
  onWarning: (message: string) => void = (message) => console.warn(message),
): Promise<Unsubscribe> {
  let hub = hubs.get(source);
  if (hub === undefined) {
    hub = new NotificationHub(source, onWarning);
    hubs.set(source, hub);
  }
  return hub.add(channel, listener, monitor);
}

/** `name` as a double-quoted PostgreSQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
