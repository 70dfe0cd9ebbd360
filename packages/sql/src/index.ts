// The public surface of @keygate/sql: every export named here, types with `export type`.

export { type AnyKysely, detectDialect, SQL_DIALECTS, type SqlDialect } from './dialect.js';
export {
  auditTableOf,
  createKeygateMigrator,
  getMigrationStatus,
  keygateMigrations,
  MIGRATION_NAMES,
  type MigrationName,
  migrateTo,
  migrateToLatest,
  NO_MIGRATIONS,
  usageTableOf,
} from './migrations.js';
export { DEFAULT_TABLE, type MigrationOptions, type SqlKeyStoreOptions } from './options.js';
export {
  LISTEN_RECONNECT_CAP_MS,
  type OpenPostgresListener,
  type PostgresListenerConnection,
  type PostgresListenerSource,
  type PostgresNotification,
} from './postgres-notifications.js';
export { SqlAuditSink, type SqlAuditSinkOptions } from './sql-audit-sink.js';
export { SqlKeyStore } from './sql-key-store.js';
