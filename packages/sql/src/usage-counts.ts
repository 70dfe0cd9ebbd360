// Usage counts in `<table>_usage` (migration 0007_observability): one row per key and UTC day,
// batches added with one upsert per chunk, so instances' counts sum up (docs/observability.md).
import { sumUsage, type UsageEntry } from '@keygate/core';
import { type Kysely, sql } from 'kysely';
import type { AnyKysely, SqlDialect } from './dialect.js';
import type { StoredCount } from './row-mapping.js';

interface UsageRow {
  key_id: string;
  day: string;
  accepted: StoredCount;
  refused: StoredCount;
}

type UsageTables = Record<string, UsageRow>;

// Four bind parameters a row: far below every dialect's limit per statement.
const CHUNK = 500;

/**
 * Adds `entries` to the usage table: an insert that adds to the row of a key and day already
 * there (`on conflict … do update` on PostgreSQL and SQLite, `on duplicate key update` on MySQL).
 */
export async function addUsage(
  db: AnyKysely,
  table: string,
  dialect: SqlDialect,
  entries: readonly UsageEntry[],
): Promise<void> {
  const rows = sumUsage(entries).map((entry) => ({
    key_id: entry.keyId,
    day: entry.date,
    accepted: entry.accepted,
    refused: entry.refused,
  }));
  const usage = db as Kysely<UsageTables>;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const insert = usage.insertInto(table).values(rows.slice(start, start + CHUNK));
    if (dialect === 'mysql') {
      await insert
        .onDuplicateKeyUpdate({
          accepted: sql`${sql.ref('accepted')} + values(${sql.ref('accepted')})`,
          refused: sql`${sql.ref('refused')} + values(${sql.ref('refused')})`,
        })
        .execute();
    } else {
      await insert
        .onConflict((conflict) =>
          conflict.columns(['key_id', 'day']).doUpdateSet({
            accepted: sql`${sql.ref(`${table}.accepted`)} + excluded.accepted`,
            refused: sql`${sql.ref(`${table}.refused`)} + excluded.refused`,
          }),
        )
        .execute();
    }
  }
}

/** A key's rows for the days from `from` to `to`, both included. */
export async function readUsage(
  db: AnyKysely,
  table: string,
  keyId: string,
  from: string,
  to: string,
): Promise<UsageEntry[]> {
  const rows = await (db as Kysely<UsageTables>)
    .selectFrom(table)
    .select(['key_id', 'day', 'accepted', 'refused'])
    .where('key_id', '=', keyId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .execute();
  return rows.map((row) => ({
    keyId: row.key_id,
    date: row.day,
    accepted: Number(row.accepted),
    refused: Number(row.refused),
  }));
}
