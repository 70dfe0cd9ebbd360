// The RateLimiter contract: what the verifier asks of a limiter (the in-memory one in core, the
// Redis one in @keygate/redis, or one of your own), and what a limiter answers.
import type { RateLimitPolicy } from './rate-limit-policy.js';

/** One limit that a request counts against. */
export interface RateLimitRequest {
  /**
   * What is counted, unique per limited thing and window: the verifier uses
   * `default:<keyId>:<windowMs>`, `key:<keyId>:<windowMs>` and `organisation:<id>:<windowMs>`.
   */
  readonly subject: string;
  /** The policy's name in the `RateLimit` header fields (`default`, `key`, `organisation`). */
  readonly name: string;
  readonly policy: RateLimitPolicy;
}

/** Where one limit stands after a request. */
export interface RateLimitState {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Requests still allowed now (whole, at least 0). */
  readonly remaining: number;
  /** Milliseconds until the whole quota is free again if no request comes. */
  readonly resetMs: number;
}

/** A limiter's answer for one request. */
export interface RateLimitDecision {
  /** True when every limit allowed the request (and it was counted against each). */
  readonly allowed: boolean;
  /**
   * True when the limiter's store failed and the limiter fails closed: the verifier answers
   * `key_store_unavailable` (503). A limiter that fails open answers `allowed` instead.
   */
  readonly unavailable?: boolean;
  /** When refused: milliseconds until the refusing limits allow the request again. */
  readonly retryAfterMs: number;
  /** Every limit's state, in the order asked (empty when the store failed). */
  readonly states: readonly RateLimitState[];
}

/**
 * Counts requests against limits. `consume` counts `cost` against every request's limit only
 * when all of them allow it (the strictest applies), atomically where the limiter is shared.
 * It may answer synchronously (in memory) or with a Promise (a remote store): the verifier keeps
 * a cache hit synchronous when the limiter is.
 *
 * @example
 * ```ts
 * const limiter: RateLimiter = new MemoryRateLimiter();
 * const decision = await limiter.consume(
 *   [{ subject: 'key:k1:60000', name: 'key', policy: { limit: 100, windowMs: 60_000 } }],
 *   1,
 *   Date.now(),
 * );
 * ```
 */
export interface RateLimiter {
  consume(
    requests: readonly RateLimitRequest[],
    cost: number,
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  /** Writes what is pending (an approximate limiter's local counts) and stops timers. */
  close?(): Promise<void>;
}
