// SqlAuditSink: the audit log in a table of its own (`<table>_audit`, created by migration
// 0007_observability), on PostgreSQL, MySQL/MariaDB or SQLite (docs/observability.md).
import {
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditSink,
  auditPageOf,
  checkAuditQuery,
  isAuditAction,
} from '@keygate/core';
import { decodeCursor, pageSize } from '@keygate/core/store';
import type { Kysely } from 'kysely';
import type { AnyKysely, SqlDialect } from './dialect.js';
import { auditTableOf } from './migrations.js';
import { type MigrationOptions, PACKAGE_NAME, resolveMigrationOptions } from './options.js';
import { type StoredTime, timeFromColumn, timeToColumn } from './row-mapping.js';

interface AuditRow {
  id: string;
  organisation_id: string | null;
  key_id: string;
  key_prefix: string;
  action: string;
  actor: string | null;
  ip: string | null;
  at: StoredTime;
}

type AuditTables = Record<string, AuditRow>;

const COLUMNS = [
  'id',
  'organisation_id',
  'key_id',
  'key_prefix',
  'action',
  'actor',
  'ip',
  'at',
] as const;

/** Options of {@link SqlAuditSink}: the Kysely instance and the key table it belongs to. */
export interface SqlAuditSinkOptions extends MigrationOptions {
  readonly db: AnyKysely;
}

/**
 * Keeps audit events in `<table>_audit` beside the key table. Run `migrateToLatest` first.
 *
 * @example
 * ```ts
 * const audit = new SqlAuditSink({ db });
 * const keygate = createKeygate({ store: new SqlKeyStore({ db }), audit });
 * ```
 */
export class SqlAuditSink implements AuditSink {
  readonly #db: Kysely<AuditTables>;
  readonly #table: string;
  readonly #dialect: SqlDialect;

  constructor(options: SqlAuditSinkOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${PACKAGE_NAME}: SqlAuditSink needs { db }`);
    }
    const { db, ...rest } = options;
    const resolved = resolveMigrationOptions(db, rest);
    // The caller's plugins (CamelCasePlugin, say) would rename the columns this sink reads.
    this.#db = (resolved.db as Kysely<AuditTables>).withoutPlugins();
    this.#table = auditTableOf(resolved.table);
    this.#dialect = resolved.dialect;
  }

  async record(event: AuditEvent): Promise<void> {
    await this.#db
      .insertInto(this.#table)
      .values({
        id: event.id,
        organisation_id: event.organisationId,
        key_id: event.keyId,
        key_prefix: event.keyPrefix,
        action: event.action,
        actor: event.actor,
        ip: event.ip,
        at: timeToColumn(event.at, this.#dialect),
      })
      .execute();
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    checkAuditQuery(query, PACKAGE_NAME);
    const limit = pageSize(query.limit, PACKAGE_NAME);
    const cursor =
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, PACKAGE_NAME);
    let select = this.#db
      .selectFrom(this.#table)
      .select(COLUMNS)
      .where('organisation_id', '=', query.organisationId);
    if (query.keyId !== undefined) select = select.where('key_id', '=', query.keyId);
    if (query.since !== undefined) {
      select = select.where('at', '>=', timeToColumn(query.since, this.#dialect));
    }
    if (cursor !== undefined) {
      const at = timeToColumn(new Date(cursor.createdAt), this.#dialect);
      select = select.where((eb) =>
        eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', cursor.id)])]),
      );
    }
    const rows = await select
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return auditPageOf(rows.map(toEvent), limit);
  }
}

function toEvent(row: AuditRow): AuditEvent {
  if (!isAuditAction(row.action)) {
    throw new Error(`${PACKAGE_NAME}: unknown audit action ${JSON.stringify(row.action)}`);
  }
  return {
    id: row.id,
    action: row.action,
    keyId: row.key_id,
    keyPrefix: row.key_prefix,
    organisationId: row.organisation_id,
    actor: row.actor,
    ip: row.ip,
    at: timeFromColumn(row.at),
  };
}
