// The per-client refusal budget (docs/quotas.md, "Refusal budget"): a client address that keeps
// sending well-formed keys that do not exist is stopped after a number of them per window, with
// 429 `rate_limited` and no store read, so a flood of junk keys cannot become a flood of lookups.
import { RateLimitedError } from '../errors.js';
import type { VerifyFailure } from '../refusals.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimitPolicy } from './rate-limit-policy.js';

/** Unknown keys a client may try per window by default: 100 a minute. */
export const DEFAULT_REFUSAL_BUDGET: RateLimitPolicy = Object.freeze({
  limit: 100,
  windowMs: 60_000,
});

/** Counts one process's unknown-key refusals per client address. */
export class RefusalBudget {
  readonly #policy: RateLimitPolicy;
  readonly #limiter: MemoryRateLimiter;
  // One frozen refusal per whole second of wait: a flood is answered without allocating.
  readonly #refusals = new Map<number, VerifyFailure>();

  constructor(policy: RateLimitPolicy, maxClients = 100_000) {
    this.#policy = policy;
    this.#limiter = new MemoryRateLimiter({ maxSubjects: maxClients });
  }

  /** The refusal for `address` when its budget is spent, else `undefined` (a lookup may go ahead). */
  refusalFor(address: string, now: number): VerifyFailure | undefined {
    const waitMs = this.#limiter.waitMs(this.#request(address), now);
    if (waitMs === 0) return undefined;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    let refusal = this.#refusals.get(seconds);
    if (refusal === undefined) {
      const policy = this.#policy;
      refusal = Object.freeze({
        ok: false as const,
        error: new RateLimitedError(
          'Too many requests with unknown API keys from this client. Try again later.',
          {
            retryAfterSeconds: seconds,
            quota: {
              rateLimits: [
                {
                  name: 'client',
                  limit: policy.limit,
                  windowMs: policy.windowMs,
                  remaining: 0,
                  resetMs: seconds * 1000,
                },
              ],
              creditsRemaining: undefined,
            },
          },
        ),
      });
      this.#refusals.set(seconds, refusal);
    }
    return refusal;
  }

  /** Counts one unknown key from `address`. */
  count(address: string, now: number): void {
    this.#limiter.consume([this.#request(address)], 1, now);
  }

  #request(address: string) {
    return { subject: address, name: 'client', policy: this.#policy };
  }
}
