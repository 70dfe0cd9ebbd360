// Opens the key store a URL names (`sqlite:<path>`, `postgres://…`, `mysql://…`, `redis://…`)
// with the client libraries the CLI depends on, so that the CLI and a server open the same store
// the same way.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AuditSink, KeyStore, RateLimiter } from '@keygate/core';
import { RedisAuditSink, RedisKeyStore, RedisRateLimiter } from '@keygate/redis';
import {
  type AnyKysely,
  migrateToLatest,
  type OpenPostgresListener,
  SqlAuditSink,
  SqlKeyStore,
} from '@keygate/sql';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { UsageError } from './cli-errors.js';
import { maskCredentials } from './credentials.js';
import { reconnectDelay } from './reconnect.js';

/** The store used when neither `--store` nor `KEYGATE_STORE` names one. */
export const DEFAULT_STORE_URL = 'sqlite:.keygate/keygate.db';

/** Which kind of store a URL names. */
export type StoreKind = 'sqlite' | 'postgres' | 'mysql' | 'redis';

/** Options of {@link openKeyStore}. */
export interface OpenKeyStoreOptions {
  /** SQL stores: the key table (default `keygate_api_keys`). */
  readonly table?: string;
  /** Redis: the namespace of every key (default `keygate`). */
  readonly namespace?: string;
  /**
   * Redis and PostgreSQL: open a second connection for invalidation events (pub/sub, LISTEN), as
   * servers want, so that a key revoked elsewhere is refused at once; one-shot commands do not.
   * Default `false`.
   */
  readonly subscribe?: boolean;
  /** SQLite: the directory a relative path starts from (default `process.cwd()`). */
  readonly cwd?: string;
  /** SQLite: bring the key table up to date on open (default `true`). */
  readonly autoMigrate?: boolean;
  /** Give up connecting after this long (default 5,000 ms). */
  readonly connectTimeoutMs?: number;
}

/** An open store and what to do with it. */
export interface OpenedKeyStore {
  readonly kind: StoreKind;
  readonly store: KeyStore;
  /** The audit log beside the keys: `<table>_audit` (SQL) or a capped stream per organisation (Redis). */
  readonly audit?: AuditSink;
  /** The URL with any password hidden, for messages. */
  readonly displayUrl: string;
  /** SQL stores: the Kysely instance, for an application's own tables in the same database. */
  readonly db?: AnyKysely;
  /**
   * Redis only: a `RedisRateLimiter` on the store's connection and namespace, for rate limits that
   * hold across every instance on this Redis (docs/quotas.md, "Limiters").
   */
  readonly createRateLimiter?: (options: SharedRateLimiterOptions) => RateLimiter;
  /** Creates or updates the key table (SQL); nothing to do on Redis. Returns what it did. */
  migrate(): Promise<readonly string[]>;
  /** Closes the store and every connection opened for it. */
  close(): Promise<void>;
}

/** How {@link OpenedKeyStore.createRateLimiter} counts (see `RedisRateLimiterOptions`). */
export interface SharedRateLimiterOptions {
  readonly mode: 'strict' | 'approximate';
  readonly onStoreError: 'fail-closed' | 'fail-open';
  readonly onError?: (error: unknown) => void;
}

/** What a store URL says, before anything is opened. */
export interface ParsedStoreUrl {
  readonly kind: StoreKind;
  /** SQLite: the absolute file path (or `:memory:`); others: the URL as given. */
  readonly location: string;
  readonly displayUrl: string;
}

/**
 * Reads a store URL. Throws a usage error naming the accepted forms when it is not one.
 *
 * @example
 * ```ts
 * parseStoreUrl('sqlite:.keygate/keygate.db'); // { kind: 'sqlite', location: '/abs/.keygate/keygate.db', … }
 * ```
 */
export function parseStoreUrl(url: string, cwd: string = process.cwd()): ParsedStoreUrl {
  const text = url.trim();
  if (text.startsWith('sqlite:')) {
    let path = text.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '')
      throw new UsageError('sqlite: needs a file path, as in sqlite:.keygate/keygate.db');
    const location = path === ':memory:' ? path : resolve(cwd, path);
    return { kind: 'sqlite', location, displayUrl: `sqlite:${path}` };
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // Not a URL (a bad port, say): still never print its password.
    throw unknownStore(maskCredentials(text));
  }
  const displayUrl = hidePassword(parsed);
  switch (parsed.protocol) {
    case 'postgres:':
    case 'postgresql:':
      return { kind: 'postgres', location: text, displayUrl };
    case 'mysql:':
    case 'mariadb:':
      return { kind: 'mysql', location: text.replace(/^mariadb:/, 'mysql:'), displayUrl };
    case 'redis:':
    case 'rediss:':
      return { kind: 'redis', location: text, displayUrl };
    default:
      throw unknownStore(displayUrl);
  }
}

/**
 * Opens the store a URL names. SQLite creates the file's directory and migrates itself (it is
 * embedded and ours alone); PostgreSQL and MySQL tables are made by `migrate()` (`keygate migrate`).
 * No connection it opens ever stops reconnecting: the pools open new connections on demand, the
 * Redis clients retry with capped backoff for ever, and the PostgreSQL LISTEN connection is
 * replaced when it drops (see docs/faults.md).
 *
 * @example
 * ```ts
 * import { openKeyStore } from '@keygate/cli';
 * const opened = await openKeyStore(process.env.KEYGATE_STORE ?? 'sqlite:.keygate/keygate.db');
 * const keygate = createKeygate({ store: opened.store });
 * // …
 * await keygate.close();
 * await opened.close();
 * ```
 */
export async function openKeyStore(
  url: string = DEFAULT_STORE_URL,
  options: OpenKeyStoreOptions = {},
): Promise<OpenedKeyStore> {
  const target = parseStoreUrl(url, options.cwd);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  switch (target.kind) {
    case 'sqlite':
      return openSqlite(target, options);
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: target.location,
        max: 4,
        connectionTimeoutMillis: connectTimeoutMs,
      });
      // A client's error (the server went away) must not crash the process, idle or checked out:
      // pg emits it on the client, and a checked-out client has no listener of its own.
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
      if (options.subscribe !== true) return openSql(target, db, options);
      // A function, not a connection: the store opens a new one whenever the last one dropped.
      const listener: OpenPostgresListener = async () => {
        const client = new pg.Client({
          connectionString: target.location,
          connectionTimeoutMillis: connectTimeoutMs,
          keepAlive: true,
        });
        // The store learns of a drop through 'end'; an unhandled 'error' would crash.
        client.on('error', () => {});
        try {
          await client.connect();
        } catch (error) {
          await client.end().catch(() => {});
          throw error;
        }
        return client;
      };
      return openSql(target, db, options, listener);
    }
    case 'mysql': {
      const pool = createPool({
        uri: target.location,
        connectionLimit: 4,
        // DATETIME(3) columns hold UTC; without this mysql2 reads them in the local zone.
        timezone: 'Z',
        connectTimeout: connectTimeoutMs,
      });
      return openSql(target, new Kysely({ dialect: new MysqlDialect({ pool }) }), options);
    }
    case 'redis':
      return openRedis(target, options, connectTimeoutMs);
  }
}

async function openSqlite(
  target: ParsedStoreUrl,
  options: OpenKeyStoreOptions,
): Promise<OpenedKeyStore> {
  if (target.location !== ':memory:') mkdirSync(dirname(target.location), { recursive: true });
  const database = new Database(target.location);
  // WAL lets a running server read while the CLI writes; the busy timeout makes one wait for
  // the other instead of failing with SQLITE_BUSY.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  const opened = await openSql(
    target,
    new Kysely({ dialect: new SqliteDialect({ database }) }),
    options,
  );
  if (options.autoMigrate !== false) await opened.migrate();
  return opened;
}

async function openSql(
  target: ParsedStoreUrl,
  db: AnyKysely,
  options: OpenKeyStoreOptions,
  listener?: OpenPostgresListener,
): Promise<OpenedKeyStore> {
  const table = options.table === undefined ? {} : { table: options.table };
  const store = new SqlKeyStore({ db, ...table, ...(listener === undefined ? {} : { listener }) });
  if (target.kind !== 'sqlite') {
    // Pools connect lazily: ask once now, so an unreachable server is reported as such.
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
  }
  let closed = false;
  return {
    kind: target.kind,
    store,
    audit: new SqlAuditSink({ db, ...table }),
    db,
    displayUrl: target.displayUrl,
    async migrate() {
      const results = await migrateToLatest(db, table);
      return results.map((result) => result.migrationName);
    },
    async close() {
      if (closed) return;
      closed = true;
      // Closing the store ends the LISTEN connection it opened.
      await store.close();
      await db.destroy();
    },
  };
}

async function openRedis(
  target: ParsedStoreUrl,
  options: OpenKeyStoreOptions,
  connectTimeoutMs: number,
): Promise<OpenedKeyStore> {
  // The options @keygate/redis recommends: fail fast instead of queueing while disconnected.
  const client = new Redis(target.location, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: connectTimeoutMs,
    // Never gives up (the subscriber duplicated from it neither): see reconnectDelay.
    retryStrategy: reconnectDelay,
  });
  // Connection errors reach the caller through the failing command; an unhandled 'error' event
  // would otherwise crash the process.
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  const connections: Redis[] = [client];
  try {
    await client.connect().catch((error: unknown) => {
      // ioredis rejects with "Connection is closed."; the 'error' event said why.
      throw lastError ?? error;
    });
    let subscriber: Redis | undefined;
    if (options.subscribe === true) {
      subscriber = client.duplicate();
      subscriber.on('error', () => {});
      connections.push(subscriber);
      await subscriber.connect();
    }
    const store = new RedisKeyStore({
      client,
      ...(subscriber === undefined ? {} : { subscriber }),
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    });
    let closed = false;
    return {
      kind: 'redis',
      store,
      audit: new RedisAuditSink({
        client,
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      }),
      displayUrl: target.displayUrl,
      createRateLimiter: (limiter) =>
        new RedisRateLimiter({
          client,
          ...limiter,
          ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        }),
      migrate: async () => [],
      async close() {
        if (closed) return;
        closed = true;
        await store.close();
        for (const connection of connections) connection.disconnect();
      },
    };
  } catch (error) {
    for (const connection of connections) connection.disconnect();
    throw error;
  }
}

function hidePassword(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

function unknownStore(shown: string): UsageError {
  return new UsageError(
    `unknown store ${JSON.stringify(shown)}: use sqlite:<path>, postgres://…, mysql://… or redis://…`,
  );
}
