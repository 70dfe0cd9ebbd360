// Converts between ApiKeyRecord and the key table's row, per dialect: times and JSON differ.
import type {
  ApiKeyCredits,
  ApiKeyRecord,
  ApiKeyRecordChanges,
  RateLimitPolicy,
} from '@keygate/core';
import type { SqlDialect } from './dialect.js';

/**
 * A time as a driver hands it back: a `Date` (pg, mysql2), integer milliseconds (SQLite), or a
 * string when the driver was told to return strings.
 */
export type StoredTime = Date | number | bigint | string;

/** One row of the key table, as drivers return it. */
export interface ApiKeyRow {
  id: string;
  organisation_id: string | null;
  name: string;
  prefix: string;
  hash: string;
  hash_version: string;
  environment: string;
  /** JSON: jsonb/JSON columns come back parsed, MariaDB's JSON (longtext) and SQLite's as text. */
  scopes: unknown;
  metadata: unknown;
  created_at: StoredTime;
  expires_at: StoredTime | null;
  last_used_at: StoredTime | null;
  revoked_at: StoredTime | null;
  replaced_by_id: string | null;
  disabled_at: StoredTime | null;
  // 0004_quotas. Counts are bigint: pg hands them back as strings, so they are read with Number().
  rate_limit: StoredCount | null;
  rate_limit_window_ms: StoredCount | null;
  credits_remaining: StoredCount | null;
  credits_refill_amount: StoredCount | null;
  credits_refill_interval_ms: StoredCount | null;
  credits_refilled_at: StoredTime | null;
  leaked_at: StoredTime | null;
  leak_source: string | null;
}

/** A bigint column's value as drivers return it: a number, a bigint, or a string (pg). */
export type StoredCount = number | bigint | string;

/** The Kysely database type the store works with: any table name holds key rows. */
export type KeyTables = Record<string, ApiKeyRow>;

/** The columns the store reads, in table order (never `*`: a caller may add columns of theirs). */
export const COLUMNS = [
  'id',
  'organisation_id',
  'name',
  'prefix',
  'hash',
  'hash_version',
  'environment',
  'scopes',
  'metadata',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'replaced_by_id',
  'disabled_at',
  'rate_limit',
  'rate_limit_window_ms',
  'credits_remaining',
  'credits_refill_amount',
  'credits_refill_interval_ms',
  'credits_refilled_at',
  'leaked_at',
  'leak_source',
] as const satisfies readonly (keyof ApiKeyRow)[];

/**
 * A time as the dialect stores it: SQLite has no time type, so integer milliseconds; pg and
 * mysql2 take a `Date` (timestamptz and datetime(3) both keep the milliseconds).
 */
export function timeToColumn(date: Date, dialect: SqlDialect): Date | number {
  const time = date.getTime();
  return dialect === 'sqlite' ? time : new Date(time);
}

function optionalTimeToColumn(date: Date | null, dialect: SqlDialect): Date | number | null {
  return date === null ? null : timeToColumn(date, dialect);
}

/** The row that stores `record`. JSON is sent as text, which every dialect's JSON column takes. */
export function recordToRow(record: ApiKeyRecord, dialect: SqlDialect): ApiKeyRow {
  return {
    id: record.id,
    organisation_id: record.organisationId,
    name: record.name,
    prefix: record.prefix,
    hash: record.hash,
    hash_version: record.hashVersion,
    environment: record.environment,
    scopes: JSON.stringify(record.scopes),
    metadata: JSON.stringify(record.metadata),
    created_at: timeToColumn(record.createdAt, dialect),
    expires_at: optionalTimeToColumn(record.expiresAt, dialect),
    last_used_at: optionalTimeToColumn(record.lastUsedAt, dialect),
    revoked_at: optionalTimeToColumn(record.revokedAt, dialect),
    replaced_by_id: record.replacedById,
    disabled_at: optionalTimeToColumn(record.disabledAt, dialect),
    leaked_at: optionalTimeToColumn(record.leakedAt, dialect),
    leak_source: record.leakSource,
    ...rateLimitToRow(record.rateLimit),
    ...creditsToRow(record.credits, dialect),
  };
}

function rateLimitToRow(
  policy: RateLimitPolicy | null,
): Pick<ApiKeyRow, 'rate_limit' | 'rate_limit_window_ms'> {
  return { rate_limit: policy?.limit ?? null, rate_limit_window_ms: policy?.windowMs ?? null };
}

/** The credit columns of `credits` (all null for a key without credits). */
export function creditsToRow(
  credits: ApiKeyCredits | null,
  dialect: SqlDialect,
): Pick<
  ApiKeyRow,
  | 'credits_remaining'
  | 'credits_refill_amount'
  | 'credits_refill_interval_ms'
  | 'credits_refilled_at'
> {
  return {
    credits_remaining: credits?.remaining ?? null,
    credits_refill_amount: credits?.refill?.amount ?? null,
    credits_refill_interval_ms: credits?.refill?.intervalMs ?? null,
    credits_refilled_at: optionalTimeToColumn(credits?.refilledAt ?? null, dialect),
  };
}

/** The credits a row holds, or `null`. */
export function creditsFromRow(
  row: Pick<
    ApiKeyRow,
    | 'credits_remaining'
    | 'credits_refill_amount'
    | 'credits_refill_interval_ms'
    | 'credits_refilled_at'
  >,
): ApiKeyCredits | null {
  if (row.credits_remaining === null || row.credits_refilled_at === null) return null;
  return {
    remaining: Number(row.credits_remaining),
    refill:
      row.credits_refill_amount === null || row.credits_refill_interval_ms === null
        ? null
        : {
            amount: Number(row.credits_refill_amount),
            intervalMs: Number(row.credits_refill_interval_ms),
          },
    refilledAt: timeFromColumn(row.credits_refilled_at),
  };
}

/** The column values an update writes; a change left out writes nothing. */
export function changesToRow(
  changes: ApiKeyRecordChanges,
  dialect: SqlDialect,
): Partial<ApiKeyRow> {
  const row: Partial<ApiKeyRow> = {};
  if (changes.name !== undefined) row.name = changes.name;
  if (changes.expiresAt !== undefined)
    row.expires_at = optionalTimeToColumn(changes.expiresAt, dialect);
  if (changes.revokedAt !== undefined)
    row.revoked_at = optionalTimeToColumn(changes.revokedAt, dialect);
  if (changes.replacedById !== undefined) row.replaced_by_id = changes.replacedById;
  if (changes.disabledAt !== undefined)
    row.disabled_at = optionalTimeToColumn(changes.disabledAt, dialect);
  if (changes.leakedAt !== undefined)
    row.leaked_at = optionalTimeToColumn(changes.leakedAt, dialect);
  if (changes.leakSource !== undefined) row.leak_source = changes.leakSource;
  if (changes.scopes !== undefined) row.scopes = JSON.stringify(changes.scopes);
  if (changes.metadata !== undefined) row.metadata = JSON.stringify(changes.metadata);
  if (changes.hash !== undefined) row.hash = changes.hash;
  if (changes.hashVersion !== undefined) row.hash_version = changes.hashVersion;
  if (changes.rateLimit !== undefined) Object.assign(row, rateLimitToRow(changes.rateLimit));
  if (changes.credits !== undefined) Object.assign(row, creditsToRow(changes.credits, dialect));
  // The refill columns alone: the balance is the row's own at the write. On a row without
  // credits they are ignored (a row's credits need credits_remaining).
  if (changes.creditRefill !== undefined) {
    row.credits_refill_amount = changes.creditRefill?.amount ?? null;
    row.credits_refill_interval_ms = changes.creditRefill?.intervalMs ?? null;
  }
  return row;
}

/** The record a row stores: a new object each time, so callers may change it freely. */
export function rowToRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    hashVersion: row.hash_version,
    environment: row.environment,
    scopes: jsonFromColumn(row.scopes) as string[],
    metadata: jsonFromColumn(row.metadata) as Record<string, unknown>,
    createdAt: timeFromColumn(row.created_at),
    expiresAt: optionalTimeFromColumn(row.expires_at),
    lastUsedAt: optionalTimeFromColumn(row.last_used_at),
    revokedAt: optionalTimeFromColumn(row.revoked_at),
    replacedById: row.replaced_by_id,
    disabledAt: optionalTimeFromColumn(row.disabled_at),
    rateLimit:
      row.rate_limit === null || row.rate_limit_window_ms === null
        ? null
        : { limit: Number(row.rate_limit), windowMs: Number(row.rate_limit_window_ms) },
    credits: creditsFromRow(row),
    leakedAt: optionalTimeFromColumn(row.leaked_at),
    leakSource: row.leak_source,
  };
}

/** A JSON column's value: parsed already (jsonb, MySQL JSON) or text (MariaDB, SQLite). */
export function jsonFromColumn(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  if (value instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(value));
  return value;
}

// "2026-11-29 10:00:00.500" carries no zone: mysql2 with dateStrings, or SQLite text. Stored
// times are UTC (the README asks mysql2 for timezone: 'Z'), so read such a string as UTC.
const ZONELESS_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A time column's value as a `Date`. */
export function timeFromColumn(value: StoredTime): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (/^-?\d+$/.test(value)) return new Date(Number(value));
  return new Date(ZONELESS_TIME.test(value) ? `${value.replace(' ', 'T')}Z` : value);
}

function optionalTimeFromColumn(value: StoredTime | null): Date | null {
  return value === null ? null : timeFromColumn(value);
}
