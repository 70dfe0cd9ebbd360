// A rate-limit policy ("100 requests per minute") and its checks: one shape for the verifier's
// default, a key's own limit (stored on the record) and an organisation's limit.

/** At most `limit` requests in any window of `windowMs` (sliding window; see docs/quotas.md). */
export interface RateLimitPolicy {
  /** Requests allowed per window: a positive integer. */
  readonly limit: number;
  /** The window in milliseconds: whole seconds from 1 s to 1 day (headers speak in seconds). */
  readonly windowMs: number;
}

/** Shortest window a policy may have: below a second, `Retry-After` (whole seconds) would lie. */
export const MIN_RATE_LIMIT_WINDOW_MS = 1000;
/** Longest window a policy may have: one day (longer budgets are usage credits). */
export const MAX_RATE_LIMIT_WINDOW_MS = 86_400_000;
/** Largest `limit` a policy may have. */
export const MAX_RATE_LIMIT = 1_000_000_000;

/**
 * Checks a policy and returns a frozen copy; throws a `RangeError` (or `TypeError` for a value
 * that is no policy) that names `what`.
 *
 * @example
 * ```ts
 * const policy = checkRateLimitPolicy({ limit: 100, windowMs: 60_000 }, 'rateLimit');
 * ```
 */
export function checkRateLimitPolicy(
  value: unknown,
  what: string,
  packageName = '@keygate/core',
): RateLimitPolicy {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${packageName}: ${what} must be { limit, windowMs }`);
  }
  const { limit, windowMs } = value as Partial<RateLimitPolicy>;
  if (
    typeof limit !== 'number' ||
    !Number.isSafeInteger(limit) ||
    limit < 1 ||
    limit > MAX_RATE_LIMIT
  ) {
    throw new RangeError(
      `${packageName}: ${what}.limit must be a whole number from 1 to ${MAX_RATE_LIMIT}, got ${String(limit)}`,
    );
  }
  if (
    typeof windowMs !== 'number' ||
    !Number.isSafeInteger(windowMs) ||
    windowMs < MIN_RATE_LIMIT_WINDOW_MS ||
    windowMs > MAX_RATE_LIMIT_WINDOW_MS ||
    windowMs % 1000 !== 0
  ) {
    throw new RangeError(
      `${packageName}: ${what}.windowMs must be whole seconds (in ms) from 1 s to 1 day, got ${String(windowMs)}`,
    );
  }
  return Object.freeze({ limit, windowMs });
}
