// Medians, spreads and percentiles: every figure the bench prints is one of these.

/** A median with the range it came from. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, minimum and maximum of `values`. */
export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** The `q`-quantile (0–1, nearest rank) of ascending `sorted`. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** p50 and p99 of latencies, sorting a copy. */
export function latencyPercentiles(latencies: ArrayLike<number>): { p50: number; p99: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** Fisher–Yates shuffle in place, with a seeded generator so runs visit keys alike. */
export function shuffle<T>(items: T[], seed = 1): T[] {
  let state = seed >>> 0 || 1;
  for (let index = items.length - 1; index > 0; index--) {
    // xorshift32: enough to scatter an access order; nothing here is secret.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const other = (state >>> 0) % (index + 1);
    const item = items[index]!;
    items[index] = items[other]!;
    items[other] = item;
  }
  return items;
}
