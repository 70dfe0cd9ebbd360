// Checks SqlKeyStore and migration options once, at construction, into frozen objects.
import { checkLogger, createConsoleLogger, type KeygateLogger } from '@keygate/core';
import { type AnyKysely, detectDialect, SQL_DIALECTS, type SqlDialect } from './dialect.js';
import type {
  PostgresListenerConnection,
  PostgresListenerSource,
} from './postgres-notifications.js';

export const PACKAGE_NAME = '@keygate/sql';

/**
 * The key table's name when none is given.
 *
 * @example
 * ```ts
 * await db.selectFrom(DEFAULT_TABLE).select('prefix').execute();
 * ```
 */
export const DEFAULT_TABLE = 'keygate_api_keys';

// Index and migration-table names are built from the table name ("<table>_organisation_created",
// "<table>_migrations_lock"); 40 characters keeps them within PostgreSQL's 63 and MySQL's 64.
const MAX_TABLE_NAME_LENGTH = 40;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * How `SqlKeyStore` reaches its table.
 *
 * @example
 * ```ts
 * const options: SqlKeyStoreOptions = { db, table: 'api_keys', listener };
 * const store = new SqlKeyStore(options);
 * ```
 */
export interface SqlKeyStoreOptions {
  /** The caller's Kysely instance. The store never destroys it. */
  readonly db: AnyKysely;
  /**
   * The key table (default `keygate_api_keys`): letters, digits and `_`, at most 40 characters.
   * Use the same name for `migrateToLatest`.
   */
  readonly table?: string;
  /** The database's dialect; read from the Kysely adapter when left out. */
  readonly dialect?: SqlDialect;
  /**
   * PostgreSQL only: where the store LISTENs for other instances' invalidation events. Best a
   * function that opens a dedicated connection (`OpenPostgresListener`): the store then replaces
   * a connection that drops, with capped backoff, forever. A connected `pg.Client` (not a pooled
   * one) works too, but once it drops it cannot be replaced. Without it, `subscribe` is absent
   * and verifiers rely on their cache TTL; updates and deletes still NOTIFY either way.
   */
  readonly listener?: PostgresListenerSource;
  /**
   * Where the store's warnings go (pino's shape: `warn(fields, message)`): the LISTEN connection
   * dropping and coming back. Default: a quiet console logger.
   */
  readonly logger?: KeygateLogger;
  /** Receives each warning as text instead of `logger`. */
  readonly onWarning?: (message: string) => void;
}

/** Options after checking: every field present, frozen. */
export interface ResolvedSqlKeyStoreOptions {
  readonly db: AnyKysely;
  readonly table: string;
  readonly dialect: SqlDialect;
  readonly listener: PostgresListenerSource | undefined;
  readonly onWarning: (message: string) => void;
}

/**
 * Options of `migrateToLatest` and the other migration functions.
 *
 * @example
 * ```ts
 * await migrateToLatest(db, { table: 'api_keys' });
 * ```
 */
export interface MigrationOptions {
  /** The key table (default `keygate_api_keys`); the same name the store is given. */
  readonly table?: string;
  /** The database's dialect; read from the Kysely adapter when left out. */
  readonly dialect?: SqlDialect;
}

/** Checks `options` and returns a new, frozen object; throws a `TypeError` for bad options. */
export function resolveSqlKeyStoreOptions(options: SqlKeyStoreOptions): ResolvedSqlKeyStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PACKAGE_NAME}: options must be an object with a Kysely instance as db`);
  }
  const db = checkDb(options.db);
  const dialect = resolveDialect(db, options.dialect);
  const listener = checkListener(options.listener, dialect);
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new TypeError(`${PACKAGE_NAME}: onWarning must be a function`);
  }
  const logger = checkLogger(options.logger, PACKAGE_NAME) ?? createConsoleLogger();
  return Object.freeze({
    db,
    table: resolveTableName(options.table),
    dialect,
    listener,
    onWarning:
      options.onWarning ?? ((message: string) => logger.warn({ package: PACKAGE_NAME }, message)),
  });
}

/** Checks migration options the same way as the store's. */
export function resolveMigrationOptions(
  db: AnyKysely,
  options: MigrationOptions = {},
): { readonly db: AnyKysely; readonly table: string; readonly dialect: SqlDialect } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PACKAGE_NAME}: migration options must be an object`);
  }
  const checked = checkDb(db);
  return Object.freeze({
    db: checked,
    table: resolveTableName(options.table),
    dialect: resolveDialect(checked, options.dialect),
  });
}

function checkDb(db: unknown): AnyKysely {
  const candidate = db as Partial<AnyKysely> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.selectFrom !== 'function' ||
    typeof candidate.transaction !== 'function' ||
    typeof candidate.connection !== 'function' ||
    typeof candidate.withoutPlugins !== 'function'
  ) {
    throw new TypeError(`${PACKAGE_NAME}: db must be a Kysely instance`);
  }
  return candidate as AnyKysely;
}

function resolveTableName(table: unknown): string {
  if (table === undefined) return DEFAULT_TABLE;
  if (
    typeof table !== 'string' ||
    !TABLE_NAME.test(table) ||
    table.length > MAX_TABLE_NAME_LENGTH
  ) {
    throw new TypeError(
      `${PACKAGE_NAME}: table must be letters, digits and _ (not starting with a digit), at most ${MAX_TABLE_NAME_LENGTH} characters`,
    );
  }
  return table;
}

function resolveDialect(db: AnyKysely, dialect: unknown): SqlDialect {
  if (dialect === undefined) {
    const detected = detectDialect(db);
    if (detected === undefined) {
      throw new TypeError(
        `${PACKAGE_NAME}: cannot tell the dialect of this Kysely instance; pass dialect: 'postgres', 'mysql' or 'sqlite'`,
      );
    }
    return detected;
  }
  if (!SQL_DIALECTS.includes(dialect as SqlDialect)) {
    throw new TypeError(`${PACKAGE_NAME}: dialect must be 'postgres', 'mysql' or 'sqlite'`);
  }
  return dialect as SqlDialect;
}

function checkListener(listener: unknown, dialect: SqlDialect): PostgresListenerSource | undefined {
  if (listener === undefined) return undefined;
  if (dialect !== 'postgres') {
    throw new TypeError(
      `${PACKAGE_NAME}: listener needs PostgreSQL (LISTEN/NOTIFY), not ${dialect}`,
    );
  }
  // An opener is checked when it is called: what it returns must be a connection like below.
  if (typeof listener === 'function') return listener as PostgresListenerSource;
  const candidate = listener as Partial<PostgresListenerConnection> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.query !== 'function' ||
    typeof candidate.on !== 'function' ||
    (typeof candidate.off !== 'function' && typeof candidate.removeListener !== 'function')
  ) {
    throw new TypeError(
      `${PACKAGE_NAME}: listener must be a function that opens a pg.Client, or a connected pg.Client (query, on and off/removeListener)`,
    );
  }
  return candidate as PostgresListenerConnection;
}
