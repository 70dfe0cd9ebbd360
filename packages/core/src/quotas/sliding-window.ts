// The sliding-window counter (docs/quotas.md, "Why a sliding window"): two fixed windows' counts,
// the previous one weighted by how much of it still overlaps the sliding window. The memory and
// Redis limiters both decide with these functions; the Redis scripts compute the same estimate.
import type { RateLimitPolicy } from './rate-limit-policy.js';

/** The index of the fixed window that holds `now`. */
export function windowIndexOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs);
}

/**
 * Requests counted in the sliding window that ends at `now`: all of the current fixed window, and
 * the part of the previous one that the sliding window still covers (assumed evenly spread).
 */
export function slidingEstimate(
  previous: number,
  current: number,
  windowMs: number,
  now: number,
): number {
  const elapsed = now - windowIndexOf(now, windowMs) * windowMs;
  return (previous * (windowMs - elapsed)) / windowMs + current;
}

/** True when `cost` more requests fit in the policy now. */
export function fits(
  policy: RateLimitPolicy,
  previous: number,
  current: number,
  now: number,
  cost: number,
): boolean {
  return slidingEstimate(previous, current, policy.windowMs, now) + cost <= policy.limit;
}

/** What is left of the policy once the counts are what they are: whole requests, at least 0. */
export function remainingOf(
  policy: RateLimitPolicy,
  previous: number,
  current: number,
  now: number,
): number {
  const left = Math.floor(policy.limit - slidingEstimate(previous, current, policy.windowMs, now));
  return Math.max(left, 0);
}

/**
 * Milliseconds until the whole quota is free again if no request comes: the end of the next
 * fixed window while the current one has counts, the end of this one while only the previous has.
 */
export function resetMsOf(
  policy: RateLimitPolicy,
  previous: number,
  current: number,
  now: number,
): number {
  const windowMs = policy.windowMs;
  const start = windowIndexOf(now, windowMs) * windowMs;
  if (current > 0) return start + 2 * windowMs - now;
  if (previous > 0) return start + windowMs - now;
  return 0;
}

/**
 * Milliseconds until `cost` requests fit again if no other request is counted meanwhile. A cost
 * above the limit never fits: two windows are answered then, the longest any wait can be.
 */
export function retryAfterMsOf(
  policy: RateLimitPolicy,
  previous: number,
  current: number,
  now: number,
  cost: number,
): number {
  const { limit, windowMs } = policy;
  if (cost > limit) return 2 * windowMs;
  const start = windowIndexOf(now, windowMs) * windowMs;
  // Still in this window: the previous window's weight must fall far enough.
  if (current + cost <= limit) {
    if (previous === 0) return 0;
    const elapsed = windowMs * (1 - (limit - cost - current) / previous);
    if (elapsed < windowMs) return Math.max(0, Math.ceil(start + elapsed - now));
  }
  // In the next window this window's count becomes the previous one, and it must fall instead.
  const elapsed = current === 0 ? 0 : Math.max(0, windowMs * (1 - (limit - cost) / current));
  return Math.ceil(start + windowMs + elapsed - now);
}
