// Paging of `listByOrganisation`, the same in every store: the checked page size, the opaque
// cursor, and the page cut from one record more than asked for.
import type { ApiKeyPage } from '../key-store.js';
import type { ApiKeyRecord } from '../record.js';

/** Default page size of `listByOrganisation`. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest page a store returns. */
export const MAX_PAGE_SIZE = 1000;

/**
 * The page size asked for, checked: an integer from 1 to 1,000 (default 100). Throws a
 * `RangeError` otherwise, naming the package that called.
 */
export function pageSize(limit: number | undefined, packageName = '@keygate/core'): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`${packageName}: limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

/** The position after which a page starts: the last record of the previous page. */
export interface PageCursor {
  readonly createdAt: number;
  readonly id: string;
}

/** Encodes a cursor as an opaque string that stores hand back and forth. */
export function encodeCursor(cursor: PageCursor): string {
  return `${cursor.createdAt}.${cursor.id}`;
}

/** Decodes a cursor; throws a `RangeError` for a value no store made. */
export function decodeCursor(value: string, packageName = '@keygate/core'): PageCursor {
  const dot = typeof value === 'string' ? value.indexOf('.') : -1;
  const createdAt = dot > 0 ? Number(value.slice(0, dot)) : Number.NaN;
  if (!Number.isSafeInteger(createdAt) || dot === value.length - 1) {
    throw new RangeError(`${packageName}: cursor is not one that a listing returned`);
  }
  return { createdAt, id: value.slice(dot + 1) };
}

/** True when the record at (createdAt, id) comes after `cursor` in newest-first order. */
export function isAfterCursor(createdAt: number, id: string, cursor: PageCursor): boolean {
  return createdAt < cursor.createdAt || (createdAt === cursor.createdAt && id < cursor.id);
}

/**
 * The first `limit` of `items` (newest first, one more asked for than a page holds) and the cursor
 * of the next page: the last item of this one, when that one more item says another follows.
 * Records and audit events are paged the same way, each by its own time and id.
 */
export function cutPage<T>(
  items: readonly T[],
  limit: number,
  positionOf: (item: T) => PageCursor,
): { readonly page: T[]; readonly nextCursor: string | null } {
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return {
    page,
    nextCursor: items.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}

/**
 * The page for a query that asked for `limit + 1` records, newest first: the one record more
 * than a page says whether another page follows, and the last record of the page is the cursor.
 *
 * @example
 * ```ts
 * const rows = await query.limit(limit + 1).execute();
 * return pageOf(rows.map(rowToRecord), limit);
 * ```
 */
export function pageOf(records: readonly ApiKeyRecord[], limit: number): ApiKeyPage {
  const { page, nextCursor } = cutPage(records, limit, (record) => ({
    createdAt: record.createdAt.getTime(),
    id: record.id,
  }));
  return { records: page, nextCursor };
}
