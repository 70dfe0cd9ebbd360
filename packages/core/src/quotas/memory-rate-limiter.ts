// The in-process RateLimiter: sliding-window counters in a bounded map. Per process: two server
// instances each allow the full limit (use @keygate/redis's RedisRateLimiter to share one).
import { BoundedCache } from '../bounded-cache.js';
import type { RateLimitPolicy } from './rate-limit-policy.js';
import type {
  RateLimitDecision,
  RateLimiter,
  RateLimitRequest,
  RateLimitState,
} from './rate-limiter.js';
import { remainingOf, resetMsOf, retryAfterMsOf, windowIndexOf } from './sliding-window.js';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /**
   * Subjects (key, organisation or client, per window) remembered at once (default 100,000);
   * the least recently used are forgotten first, and a forgotten subject starts again at 0.
   */
  readonly maxSubjects?: number;
}

// One subject's two fixed windows.
interface WindowCounter {
  window: number;
  previous: number;
  current: number;
}

const ALLOWED_NOTHING: readonly RateLimitState[] = Object.freeze([]);

/**
 * Counts requests in this process's memory. `consume` answers synchronously, so a cache hit
 * stays synchronous; it costs a map lookup per limit.
 *
 * @example
 * ```ts
 * const keygate = createKeygate({
 *   store,
 *   rateLimit: { limit: 100, windowMs: 60_000 },
 *   rateLimiter: new MemoryRateLimiter({ maxSubjects: 50_000 }),
 * });
 * ```
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #counters: BoundedCache<string, WindowCounter>;

  constructor(options: MemoryRateLimiterOptions = {}) {
    const maxSubjects = options.maxSubjects ?? 100_000;
    if (!Number.isSafeInteger(maxSubjects) || maxSubjects < 1) {
      throw new RangeError('@keygate/core: maxSubjects must be a positive integer');
    }
    this.#counters = new BoundedCache(maxSubjects);
  }

  consume(requests: readonly RateLimitRequest[], cost: number, now: number): RateLimitDecision {
    if (requests.length === 1) {
      // The common case (one limit) without the arrays of the general one.
      const request = requests[0]!;
      const counter = this.#counter(request, now);
      const allowed = this.#fits(request.policy, counter, now, cost);
      if (allowed) counter.current += cost;
      return {
        allowed,
        retryAfterMs: allowed ? 0 : this.#retryAfter(request.policy, counter, now, cost),
        states: [stateOf(request, counter, now)],
      };
    }
    const counters = requests.map((request) => this.#counter(request, now));
    let allowed = true;
    let retryAfterMs = 0;
    for (let index = 0; index < requests.length; index++) {
      const policy = requests[index]!.policy;
      const counter = counters[index]!;
      if (!this.#fits(policy, counter, now, cost)) {
        allowed = false;
        retryAfterMs = Math.max(retryAfterMs, this.#retryAfter(policy, counter, now, cost));
      }
    }
    if (allowed) for (const counter of counters) counter.current += cost;
    return {
      allowed,
      retryAfterMs,
      states:
        requests.length === 0
          ? ALLOWED_NOTHING
          : requests.map((request, index) => stateOf(request, counters[index]!, now)),
    };
  }

  /**
   * Milliseconds until `cost` more would be allowed for `request` (0: now), counting nothing. The
   * refusal budget asks this before a store read.
   */
  waitMs(request: RateLimitRequest, now: number, cost = 1): number {
    const counter = this.#counters.get(request.subject);
    if (counter === undefined)
      return request.policy.limit >= cost ? 0 : 2 * request.policy.windowMs;
    roll(counter, request.policy.windowMs, now);
    return this.#fits(request.policy, counter, now, cost)
      ? 0
      : this.#retryAfter(request.policy, counter, now, cost);
  }

  /** Forgets every count. */
  clear(): void {
    this.#counters.clear();
  }

  async close(): Promise<void> {}

  #counter(request: RateLimitRequest, now: number): WindowCounter {
    const windowMs = request.policy.windowMs;
    let counter = this.#counters.get(request.subject);
    if (counter === undefined) {
      counter = { window: windowIndexOf(now, windowMs), previous: 0, current: 0 };
      this.#counters.set(request.subject, counter);
    } else roll(counter, windowMs, now);
    return counter;
  }

  #fits(policy: RateLimitPolicy, counter: WindowCounter, now: number, cost: number): boolean {
    const elapsed = now - counter.window * policy.windowMs;
    const estimate =
      (counter.previous * (policy.windowMs - elapsed)) / policy.windowMs + counter.current;
    return estimate + cost <= policy.limit;
  }

  #retryAfter(policy: RateLimitPolicy, counter: WindowCounter, now: number, cost: number): number {
    return retryAfterMsOf(policy, counter.previous, counter.current, now, cost);
  }
}

// Moves a counter to the window that holds `now`. A clock that steps back keeps the counts.
function roll(counter: WindowCounter, windowMs: number, now: number): void {
  const window = windowIndexOf(now, windowMs);
  if (window <= counter.window) return;
  counter.previous = window === counter.window + 1 ? counter.current : 0;
  counter.current = 0;
  counter.window = window;
}

function stateOf(request: RateLimitRequest, counter: WindowCounter, now: number): RateLimitState {
  const policy = request.policy;
  return {
    name: request.name,
    limit: policy.limit,
    windowMs: policy.windowMs,
    remaining: remainingOf(policy, counter.previous, counter.current, now),
    resetMs: resetMsOf(policy, counter.previous, counter.current, now),
  };
}
