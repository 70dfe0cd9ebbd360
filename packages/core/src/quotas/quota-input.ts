// Checks the quota part of what callers pass to the key manager (a key's rate limit and credits),
// so that create and update accept exactly the same shapes and say the same things when wrong.
import { type ApiKeyCredits, type CreditRefill, checkCredits } from './credits.js';
import { checkRateLimitPolicy, type RateLimitPolicy } from './rate-limit-policy.js';

/** Credits as a caller gives them: a balance and an optional refill (the refill clock starts now). */
export interface CreditsInput {
  /** Credits the key starts with. */
  readonly remaining: number;
  /** Top the balance up to `amount` every `intervalMs` (e.g. 1,000 a day); `null` or left out: never. */
  readonly refill?: CreditRefill | null;
}

/** A key's rate limit: a policy, or `null` for none. */
export function checkRateLimitInput(value: unknown): RateLimitPolicy | null {
  return value === null ? null : checkRateLimitPolicy(value, 'rateLimit');
}

/** A key's credits from a caller: `null` for none; the refill clock starts at `now`. */
export function checkCreditsInput(value: unknown, now: Date): ApiKeyCredits | null {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined) {
    throw new TypeError('@keygate/core: credits must be { remaining, refill? } or null');
  }
  const { remaining, refill } = value as Partial<CreditsInput>;
  return checkCredits({ remaining, refill: refill ?? null, refilledAt: now });
}
