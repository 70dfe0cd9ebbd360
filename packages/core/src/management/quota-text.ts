// Quotas as people type them ("100/1m", "500/1d"), shared by the CLI and anything else that takes
// them as text, with the duration spellings of duration.ts.
import { formatDuration, parseDuration } from './duration.js';

/**
 * `{ count, ms }` from `<count>/<duration>` (`100/1m`, `500/1d`), or `undefined` when the text is
 * not one.
 *
 * @example
 * ```ts
 * parseRatePerDuration('100/1m'); // { count: 100, ms: 60_000 }
 * ```
 */
export function parseRatePerDuration(text: string): { count: number; ms: number } | undefined {
  const match = /^\s*(\d{1,13})\s*\/\s*(\S+)\s*$/.exec(text);
  if (match === null) return undefined;
  const ms = parseDuration(match[2]!);
  const count = Number(match[1]);
  return ms === undefined || ms === 0 || !Number.isSafeInteger(count) ? undefined : { count, ms };
}

/**
 * `<count>/<duration>` for display (`100/1m`).
 *
 * @example
 * ```ts
 * formatRatePerDuration(100, 60_000); // '100/1m'
 * ```
 */
export function formatRatePerDuration(count: number, ms: number): string {
  return `${count}/${formatDuration(ms)}`;
}
