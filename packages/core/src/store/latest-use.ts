// A batch of last-used times reduced to one time per key, the newest: a batch may name a key
// twice, and a store writes each key once.
import type { LastUsedEntry } from '../key-store.js';

/**
 * The newest valid time (ms) per key id in `entries`; an invalid date is left out rather than
 * failing the batch or being written.
 *
 * @example
 * ```ts
 * for (const [id, time] of latestUsePerId(entries)) await write(id, new Date(time));
 * ```
 */
export function latestUsePerId(entries: readonly LastUsedEntry[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const { id, lastUsedAt } of entries) {
    const time = lastUsedAt.getTime();
    if (!Number.isFinite(time)) continue;
    const known = latest.get(id);
    if (known === undefined || time > known) latest.set(id, time);
  }
  return latest;
}
