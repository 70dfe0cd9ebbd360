import { makeTestRecord } from '@keygate/core/testing';
import { describe, expect, it } from 'vitest';
import {
  type ApiKeyRow,
  changesToRow,
  jsonFromColumn,
  recordToRow,
  rowToRecord,
  timeFromColumn,
} from './row-mapping.js';

describe('row mapping', () => {
  it('stores SQLite times as integer milliseconds and others as Dates, JSON as text', () => {
    const record = makeTestRecord({ lastUsedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7)) });
    const sqlite = recordToRow(record, 'sqlite');
    expect(sqlite.created_at).toBe(record.createdAt.getTime());
    expect(sqlite.last_used_at).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 7));
    expect(sqlite.expires_at).toBeNull();
    expect(sqlite.scopes).toBe(JSON.stringify(record.scopes));
    const postgres = recordToRow(record, 'postgres');
    expect(postgres.created_at).toEqual(record.createdAt);
    expect(postgres.created_at).not.toBe(record.createdAt); // a copy, not the caller's Date
  });

  it('reads a row back into the record it stores', () => {
    const record = makeTestRecord({ revokedAt: new Date(Date.UTC(2026, 5, 1, 1, 2, 3, 456)) });
    for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
      expect(rowToRecord(recordToRow(record, dialect))).toEqual(record);
    }
  });

  it('reads every shape a driver may return for a time', () => {
    const expected = new Date(Date.UTC(2026, 10, 29, 10, 0, 0, 500));
    for (const value of [
      expected,
      expected.getTime(),
      BigInt(expected.getTime()),
      String(expected.getTime()),
      '2026-11-29 10:00:00.500', // mysql2 dateStrings / text, stored in UTC
      '2026-11-29T10:00:00.500Z',
      '2026-11-29 11:00:00.500+01:00',
    ]) {
      expect(timeFromColumn(value), String(value)).toEqual(expected);
    }
  });

  it('reads JSON parsed (jsonb, MySQL JSON) or as text (MariaDB, SQLite) or bytes', () => {
    const value = { plan: 'pro', tags: ['a'] };
    expect(jsonFromColumn(value)).toBe(value);
    expect(jsonFromColumn(JSON.stringify(value))).toEqual(value);
    expect(jsonFromColumn(new TextEncoder().encode(JSON.stringify(value)))).toEqual(value);
  });

  it('writes only the columns a change names', () => {
    expect(changesToRow({}, 'postgres')).toEqual({});
    const revokedAt = new Date(Date.UTC(2026, 0, 1));
    expect(changesToRow({ revokedAt, expiresAt: null, name: 'n' }, 'sqlite')).toEqual({
      revoked_at: revokedAt.getTime(),
      expires_at: null,
      name: 'n',
    } satisfies Partial<ApiKeyRow>);
    expect(changesToRow({ hash: 'h', hashVersion: 'v', scopes: [] }, 'mysql')).toEqual({
      hash: 'h',
      hash_version: 'v',
      scopes: '[]',
    });
  });
});
