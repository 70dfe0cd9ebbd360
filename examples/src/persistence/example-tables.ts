// The reference server's own tables, beside keygate's key table in the same database:
// organisations (with an `active` flag), admin sign-in tokens (digests only) and sites.
import type { AnyKysely } from '@keygate/sql';

/** Table names, prefixed so that they never clash with an application's own. */
export const ORGANISATIONS_TABLE = 'example_organisations';
export const ADMIN_TOKENS_TABLE = 'example_admin_tokens';
export const SITES_TABLE = 'example_sites';

/**
 * Creates the tables when they are missing. Types are kept to what SQLite, PostgreSQL and MySQL
 * all spell the same way: bounded varchar, integer, and times as ISO 8601 text.
 */
export async function migrateExampleTables(db: AnyKysely): Promise<void> {
  await db.schema
    .createTable(ORGANISATIONS_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(200)', (column) => column.primaryKey())
    .addColumn('name', 'varchar(200)', (column) => column.notNull())
    .addColumn('active', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable(ADMIN_TOKENS_TABLE)
    .ifNotExists()
    .addColumn('token_hash', 'varchar(64)', (column) => column.primaryKey())
    .addColumn('organisation_id', 'varchar(200)', (column) => column.notNull())
    .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
    .execute();
  await db.schema
    .createTable(SITES_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(36)', (column) => column.primaryKey())
    .addColumn('organisation_id', 'varchar(200)', (column) => column.notNull())
    .addColumn('environment', 'varchar(64)', (column) => column.notNull().defaultTo('live'))
    .addColumn('site_name', 'varchar(200)', (column) => column.notNull())
    .addColumn('capacity', 'double precision', (column) => column.notNull())
    .addColumn('unit', 'varchar(8)', (column) => column.notNull())
    .addColumn('created_at', 'varchar(40)', (column) => column.notNull())
    .execute();
  // Sites tables made before environments were kept apart get the column; their sites are live.
  const sites = (await db.introspection.getTables()).find((table) => table.name === SITES_TABLE);
  if (sites !== undefined && !sites.columns.some((column) => column.name === 'environment')) {
    await db.schema
      .alterTable(SITES_TABLE)
      .addColumn('environment', 'varchar(64)', (column) => column.notNull().defaultTo('live'))
      .execute();
  }
}
