// Which SQL dialect a Kysely instance speaks, and how each one reports a unique-key violation.
import type { Kysely } from 'kysely';

/**
 * The databases `SqlKeyStore` supports. MariaDB counts as `mysql`.
 *
 * @example
 * ```ts
 * const dialect: SqlDialect = new SqlKeyStore({ db }).dialect;
 * ```
 */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * Every supported dialect, in the order the docs list them.
 *
 * @example
 * ```ts
 * if (!SQL_DIALECTS.includes(flag)) throw new Error(`--dialect must be one of ${SQL_DIALECTS}`);
 * ```
 */
export const SQL_DIALECTS: readonly SqlDialect[] = Object.freeze(['postgres', 'mysql', 'sqlite']);

/**
 * A Kysely instance over any database type: the store touches only its own table, so it accepts
 * whatever schema type the caller's instance has (Kysely's own `Migrator` does the same).
 *
 * @example
 * ```ts
 * const db: AnyKysely = new Kysely<MyDatabase>({ dialect });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: Kysely<DB> is invariant in DB; `any` is what lets a caller's Kysely<TheirSchema> in.
export type AnyKysely = Kysely<any>;

// Kysely's built-in adapters, by class name. Names rather than `instanceof`, so that a second
// copy of kysely (or a third-party dialect whose adapter extends one of these) is still known.
const ADAPTER_DIALECTS: ReadonlyMap<string, SqlDialect> = new Map([
  ['PostgresAdapter', 'postgres'],
  ['MysqlAdapter', 'mysql'],
  ['SqliteAdapter', 'sqlite'],
]);

/**
 * The dialect of a Kysely instance, read from its adapter; `undefined` when the adapter is not
 * (and does not extend) one of Kysely's PostgreSQL, MySQL or SQLite adapters. `SqlKeyStore` and
 * the migrations call it when `dialect` is left out.
 *
 * @example
 * ```ts
 * import { detectDialect } from '@keygate/sql';
 * detectDialect(new Kysely({ dialect: new PostgresDialect({ pool }) })); // 'postgres'
 * ```
 */
export function detectDialect(db: AnyKysely): SqlDialect | undefined {
  let adapter: unknown;
  try {
    // `getExecutor()` is marked internal but is the only place Kysely exposes its adapter.
    adapter = db.getExecutor().adapter;
  } catch {
    return undefined;
  }
  for (
    let prototype: unknown = adapter === null ? null : Object.getPrototypeOf(adapter);
    prototype !== null && prototype !== Object.prototype && typeof prototype === 'object';
    prototype = Object.getPrototypeOf(prototype)
  ) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    const dialect = typeof name === 'string' ? ADAPTER_DIALECTS.get(name) : undefined;
    if (dialect !== undefined) return dialect;
  }
  return undefined;
}

/**
 * True when `error` is a unique or primary-key violation: PostgreSQL SQLSTATE 23505, MySQL and
 * MariaDB errno 1062, SQLite SQLITE_CONSTRAINT_UNIQUE / SQLITE_CONSTRAINT_PRIMARYKEY.
 * Every driver's shape is checked whatever the dialect, because a driver wrapper may pass the
 * error of another (pg-compatible or mysql-compatible) driver through.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  return (
    code === '23505' ||
    errno === 1062 ||
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
