import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../record.js';
import { decodeCursor, encodeCursor, isAfterCursor, pageOf, pageSize } from './pagination.js';

const record = (id: string, createdAt: number) =>
  ({ id, createdAt: new Date(createdAt) }) as ApiKeyRecord;

describe('pageOf', () => {
  it('cuts a page and points the cursor at its last record when one more was found', () => {
    const page = pageOf([record('c', 3), record('b', 2), record('a', 1)], 2);
    expect(page.records.map((found) => found.id)).toEqual(['c', 'b']);
    expect(page.nextCursor).toBe(encodeCursor({ createdAt: 2, id: 'b' }));
    const next = decodeCursor(page.nextCursor ?? '');
    expect(isAfterCursor(1, 'a', next)).toBe(true);
    expect(isAfterCursor(2, 'b', next)).toBe(false);
  });

  it('has no cursor when no record is left', () => {
    expect(pageOf([record('b', 2), record('a', 1)], 2).nextCursor).toBeNull();
    expect(pageOf([], 2)).toEqual({ records: [], nextCursor: null });
  });
});

describe('pageSize and cursors', () => {
  it('checks the limit and names the calling package', () => {
    expect(pageSize(undefined)).toBe(100);
    expect(() => pageSize(0, '@keygate/redis')).toThrow('@keygate/redis: limit must be');
    expect(() => decodeCursor('nonsense', '@keygate/sql')).toThrow('@keygate/sql: cursor');
  });
});
