// The key table's versioned migrations, run by Kysely's Migrator from code (no migration files).
import {
  type Migration,
  type MigrationInfo,
  type MigrationResult,
  type MigrationResultSet,
  Migrator,
  NO_MIGRATIONS,
  sql,
} from 'kysely';
import type { AnyKysely, SqlDialect } from './dialect.js';
import { type MigrationOptions, PACKAGE_NAME, resolveMigrationOptions } from './options.js';

/**
 * The migrations, oldest first. Names are permanent: the migration table records them.
 * `0001` creates the table and its indexes; `0002` adds `replaced_by_id` (for rotation);
 * `0003` adds `disabled_at` (keys that are disabled, reversibly); `0004` adds the rate-limit and
 * credit columns (docs/quotas.md); `0006` adds `leaked_at` and `leak_source` (for
 * secret-scanning reports); `0007` creates `<table>_audit` and `<table>_usage`, the audit log
 * and the usage counts per key and day (docs/observability.md).
 *
 * @example
 * ```ts
 * await migrateTo(db, MIGRATION_NAMES[0]); // the first migration only
 * ```
 */
export const MIGRATION_NAMES = Object.freeze([
  '0001_create_api_keys',
  '0002_add_replaced_by_id',
  '0003_lifecycle',
  '0004_quotas',
  '0006_leaks',
  '0007_observability',
] as const);

/**
 * The name of one of the package's migrations.
 *
 * @example
 * ```ts
 * const target: MigrationName = '0001_create_api_keys';
 * ```
 */
export type MigrationName = (typeof MIGRATION_NAMES)[number];

// Column types per dialect. Ids and digests compare byte for byte (a base64url digest is case
// sensitive; MySQL's default collations are not), lengths keep MySQL's indexes within 3072 bytes
// of utf8mb4, and times keep milliseconds: timestamptz, datetime(3), or integer ms in SQLite.
interface ColumnTypes {
  readonly identifier: ReturnType<typeof sql.raw>;
  readonly name: ReturnType<typeof sql.raw>;
  readonly short: ReturnType<typeof sql.raw>;
  readonly json: ReturnType<typeof sql.raw>;
  readonly time: ReturnType<typeof sql.raw>;
  readonly count: ReturnType<typeof sql.raw>;
  /** Long text that is never indexed (a URL). */
  readonly text: ReturnType<typeof sql.raw>;
}

const COLUMN_TYPES: Readonly<Record<SqlDialect, ColumnTypes>> = {
  postgres: {
    identifier: sql.raw('varchar(128) collate "C"'),
    name: sql.raw('varchar(255)'),
    short: sql.raw('varchar(64)'),
    json: sql.raw('jsonb'),
    time: sql.raw('timestamptz'),
    count: sql.raw('bigint'),
    text: sql.raw('text'),
  },
  mysql: {
    identifier: sql.raw('varchar(128) character set utf8mb4 collate utf8mb4_bin'),
    name: sql.raw('varchar(255) character set utf8mb4'),
    short: sql.raw('varchar(64) character set utf8mb4 collate utf8mb4_bin'),
    json: sql.raw('json'),
    time: sql.raw('datetime(3)'),
    count: sql.raw('bigint'),
    text: sql.raw('text character set utf8mb4'),
  },
  sqlite: {
    identifier: sql.raw('text'),
    name: sql.raw('text'),
    short: sql.raw('text'),
    json: sql.raw('text'),
    time: sql.raw('integer'),
    count: sql.raw('integer'),
    text: sql.raw('text'),
  },
};

// The columns of 0004_quotas, in order.
function quotaColumns(
  types: ColumnTypes,
): readonly (readonly [string, ReturnType<typeof sql.raw>])[] {
  return [
    ['rate_limit', types.count],
    ['rate_limit_window_ms', types.count],
    ['credits_remaining', types.count],
    ['credits_refill_amount', types.count],
    ['credits_refill_interval_ms', types.count],
    ['credits_refilled_at', types.time],
  ];
}

/**
 * The package's migrations for `table` on `dialect`, by name, as Kysely's Migrator wants them:
 * for applications that run keygate's migrations with their own migrator.
 *
 * @example
 * ```ts
 * const provider = {
 *   getMigrations: async () => ({ ...appMigrations, ...keygateMigrations('keygate_api_keys', 'postgres') }),
 * };
 * ```
 */
export function keygateMigrations(
  table: string,
  dialect: SqlDialect,
): Readonly<Record<MigrationName, Migration>> {
  const types = COLUMN_TYPES[dialect];
  const hashIndex = `${table}_hash_unique`;
  const organisationIndex = `${table}_organisation_created`;
  return Object.freeze({
    '0001_create_api_keys': {
      async up(db) {
        let create = db.schema
          .createTable(table)
          .addColumn('id', types.identifier, (column) => column.primaryKey().notNull())
          .addColumn('organisation_id', types.identifier)
          .addColumn('name', types.name, (column) => column.notNull())
          .addColumn('prefix', types.short, (column) => column.notNull())
          .addColumn('hash', types.identifier, (column) => column.notNull())
          .addColumn('hash_version', types.short, (column) => column.notNull())
          .addColumn('environment', types.short, (column) => column.notNull())
          .addColumn('scopes', types.json, (column) => column.notNull())
          .addColumn('metadata', types.json, (column) => column.notNull())
          .addColumn('created_at', types.time, (column) => column.notNull())
          .addColumn('expires_at', types.time)
          .addColumn('last_used_at', types.time)
          .addColumn('revoked_at', types.time);
        // MySQL's server default may still be latin1; names need the whole of Unicode.
        if (dialect === 'mysql') create = create.modifyEnd(sql`default character set utf8mb4`);
        await create.execute();
        // Lookups by digest are equality lookups on this index, whatever the key guessed.
        await db.schema.createIndex(hashIndex).on(table).column('hash').unique().execute();
        // Serves "an organisation's keys, newest first" and its keyset pagination.
        await db.schema
          .createIndex(organisationIndex)
          .on(table)
          .columns(['organisation_id', 'created_at', 'id'])
          .execute();
      },
      async down(db) {
        await db.schema.dropTable(table).execute();
      },
    },
    '0002_add_replaced_by_id': {
      async up(db) {
        await db.schema.alterTable(table).addColumn('replaced_by_id', types.identifier).execute();
      },
      async down(db) {
        await db.schema.alterTable(table).dropColumn('replaced_by_id').execute();
      },
    },
    '0003_lifecycle': {
      async up(db) {
        await db.schema.alterTable(table).addColumn('disabled_at', types.time).execute();
      },
      async down(db) {
        await db.schema.alterTable(table).dropColumn('disabled_at').execute();
      },
    },
    '0004_quotas': {
      // One column per number, so that consumeCredits changes the balance alone. Nullable: a key
      // without a rate limit or credits costs nothing.
      async up(db) {
        for (const [column, type] of quotaColumns(types)) {
          await db.schema.alterTable(table).addColumn(column, type).execute();
        }
      },
      async down(db) {
        // One column a statement: SQLite drops a column at a time.
        for (const [column] of [...quotaColumns(types)].reverse()) {
          await db.schema.alterTable(table).dropColumn(column).execute();
        }
      },
    },
    // Two statements, not one ALTER with two columns: SQLite adds one column per ALTER TABLE.
    '0006_leaks': {
      async up(db) {
        await db.schema.alterTable(table).addColumn('leaked_at', types.time).execute();
        await db.schema.alterTable(table).addColumn('leak_source', types.text).execute();
      },
      async down(db) {
        await db.schema.alterTable(table).dropColumn('leak_source').execute();
        await db.schema.alterTable(table).dropColumn('leaked_at').execute();
      },
    },
    // Tables of their own: an audit log outlives the keys it names, and usage counts are written
    // in batches that must not lock key rows.
    '0007_observability': {
      async up(db) {
        let audit = db.schema
          .createTable(auditTableOf(table))
          .addColumn('id', types.identifier, (column) => column.primaryKey().notNull())
          .addColumn('organisation_id', types.identifier)
          .addColumn('key_id', types.identifier, (column) => column.notNull())
          .addColumn('key_prefix', types.short, (column) => column.notNull())
          .addColumn('action', types.short, (column) => column.notNull())
          .addColumn('actor', types.name)
          .addColumn('ip', types.short)
          .addColumn('at', types.time, (column) => column.notNull());
        if (dialect === 'mysql') audit = audit.modifyEnd(sql`default character set utf8mb4`);
        await audit.execute();
        // Serves "an organisation's events, newest first" and its keyset pagination.
        await db.schema
          .createIndex(`${table}_audit_org`)
          .on(auditTableOf(table))
          .columns(['organisation_id', 'at', 'id'])
          .execute();
        let usage = db.schema
          .createTable(usageTableOf(table))
          .addColumn('key_id', types.identifier, (column) => column.notNull())
          .addColumn('day', types.short, (column) => column.notNull())
          .addColumn('accepted', types.count, (column) => column.notNull())
          .addColumn('refused', types.count, (column) => column.notNull())
          .addPrimaryKeyConstraint(`${table}_usage_pk`, ['key_id', 'day']);
        if (dialect === 'mysql') usage = usage.modifyEnd(sql`default character set utf8mb4`);
        await usage.execute();
      },
      async down(db) {
        await db.schema.dropTable(usageTableOf(table)).execute();
        await db.schema.dropTable(auditTableOf(table)).execute();
      },
    },
  });
}

/**
 * The audit table of a key table: `<table>_audit` (migration `0007_observability`).
 *
 * @example
 * ```ts
 * auditTableOf('keygate_api_keys'); // 'keygate_api_keys_audit'
 * ```
 */
export function auditTableOf(table: string): string {
  return `${table}_audit`;
}

/**
 * The usage table of a key table: `<table>_usage` (migration `0007_observability`).
 *
 * @example
 * ```ts
 * usageTableOf('keygate_api_keys'); // 'keygate_api_keys_usage'
 * ```
 */
export function usageTableOf(table: string): string {
  return `${table}_usage`;
}

/**
 * A Kysely `Migrator` for the key table. Its bookkeeping tables are named after the key table
 * (`<table>_migrations`, `<table>_migrations_lock`), so two keygate tables in one database, or
 * the application's own Kysely migrations, never share one.
 *
 * @example
 * ```ts
 * const migrator = createKeygateMigrator(db);
 * console.table(await migrator.getMigrations());
 * ```
 */
export function createKeygateMigrator(db: AnyKysely, options?: MigrationOptions): Migrator {
  const resolved = resolveMigrationOptions(db, options);
  const migrations = keygateMigrations(resolved.table, resolved.dialect);
  return new Migrator({
    // Without the caller's plugins, so that CamelCasePlugin and the like leave the names alone.
    db: resolved.db.withoutPlugins(),
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: `${resolved.table}_migrations`,
    migrationLockTableName: `${resolved.table}_migrations_lock`,
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
}

/**
 * Brings the key table up to the latest migration; a no-op when it is there already. Safe to run
 * from several processes at once (Kysely takes a database lock). Rejects when a migration fails.
 *
 * @example
 * ```ts
 * import { migrateToLatest } from '@keygate/sql';
 * await migrateToLatest(db); // or migrateToLatest(db, { table: 'api_keys' })
 * ```
 */
export async function migrateToLatest(
  db: AnyKysely,
  options?: MigrationOptions,
): Promise<readonly MigrationResult[]> {
  return settle(await createKeygateMigrator(db, options).migrateToLatest());
}

/**
 * Migrates the key table up or down to `name` (or to nothing, `NO_MIGRATIONS`, which drops it).
 *
 * @example
 * ```ts
 * await migrateTo(db, '0001_create_api_keys');
 * ```
 */
export async function migrateTo(
  db: AnyKysely,
  name: MigrationName | typeof NO_MIGRATIONS,
  options?: MigrationOptions,
): Promise<readonly MigrationResult[]> {
  return settle(await createKeygateMigrator(db, options).migrateTo(name));
}

/**
 * Every migration with when it ran (`executedAt`), or `undefined` when it has not yet.
 *
 * @example
 * ```ts
 * for (const { name, executedAt } of await getMigrationStatus(db)) console.log(name, executedAt ?? 'pending');
 * ```
 */
export async function getMigrationStatus(
  db: AnyKysely,
  options?: MigrationOptions,
): Promise<readonly MigrationInfo[]> {
  return createKeygateMigrator(db, options).getMigrations();
}

// Kysely's Migrator reports failure in its result instead of throwing; keygate callers (the CLI,
// an app's start-up) want a rejection that stops them.
function settle(resultSet: MigrationResultSet): readonly MigrationResult[] {
  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    const where = failed === undefined ? '' : ` in ${failed.migrationName}`;
    throw new Error(`${PACKAGE_NAME}: migration failed${where}`, { cause: resultSet.error });
  }
  return results;
}

export { NO_MIGRATIONS };
