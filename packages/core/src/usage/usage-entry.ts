// Usage per key per day (docs/observability.md, "Usage"): verifications accepted and refused,
// counted in memory by each verifier and added to the store in batches.

/** One key's counts for one UTC day. */
export interface UsageEntry {
  readonly keyId: string;
  /** The UTC day, `YYYY-MM-DD`. */
  readonly date: string;
  readonly accepted: number;
  readonly refused: number;
}

/** One day of a key's usage, as {@link KeyUsage} lists it. */
export interface UsageDay {
  readonly date: string;
  readonly accepted: number;
  readonly refused: number;
}

/** A key's usage over its last days, oldest first, one entry per day (zero when unused). */
export interface KeyUsage {
  readonly keyId: string;
  readonly days: readonly UsageDay[];
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The most days a usage query reads. */
export const MAX_USAGE_DAYS = 366;

/**
 * The UTC day of a time, `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * usageDayOf(Date.UTC(2026, 11, 2, 23, 59)); // '2026-12-02'
 * ```
 */
export function usageDayOf(time: number): string {
  return new Date(Math.floor(time / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The `count` days that end with the day of `time`, oldest first.
 *
 * @example
 * ```ts
 * usageDaysUntil(Date.UTC(2026, 11, 2), 2); // ['2026-12-01', '2026-12-02']
 * ```
 */
export function usageDaysUntil(time: number, count: number): string[] {
  const last = Math.floor(time / DAY_MS);
  const days: string[] = [];
  for (let day = last - count + 1; day <= last; day++) days.push(usageDayOf(day * DAY_MS));
  return days;
}

/**
 * Whether `value` is a `YYYY-MM-DD` day.
 *
 * @example
 * ```ts
 * isUsageDay('2026-12-02'); // true
 * ```
 */
export function isUsageDay(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && usageDayOf(Date.parse(value)) === value;
}

/**
 * Adds entries of the same key and day together (a batch may hold several).
 *
 * @example
 * ```ts
 * for (const entry of sumUsage(entries)) await write(entry);
 * ```
 */
export function sumUsage(entries: readonly UsageEntry[]): UsageEntry[] {
  const sums = new Map<
    string,
    { keyId: string; date: string; accepted: number; refused: number }
  >();
  for (const entry of entries) {
    const id = `${entry.date} ${entry.keyId}`;
    const sum = sums.get(id);
    if (sum === undefined) sums.set(id, { ...entry });
    else {
      sum.accepted += entry.accepted;
      sum.refused += entry.refused;
    }
  }
  return [...sums.values()];
}
