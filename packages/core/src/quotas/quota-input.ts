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

/** A change of a key's credits: the new balance, the new refill, or both. */
export interface CreditsUpdate {
  readonly remaining?: number;
  readonly refill?: CreditRefill | null;
}

/** Checks a change of credits (`null`: stop metering); a part left out stays undefined. */
export function checkCreditsUpdate(value: unknown): CreditsUpdate | null {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined) {
    throw new TypeError('@keygate/core: credits must be { remaining?, refill? } or null');
  }
  const { remaining, refill } = value as CreditsUpdate;
  if (remaining === undefined && refill === undefined) {
    throw new TypeError('@keygate/core: credits needs remaining, refill or both');
  }
  // Checked as a whole balance; the parts left out are filled from the key when it is written.
  const checked = checkCredits({ remaining: remaining ?? 0, refill: refill ?? null });
  return {
    ...(remaining === undefined ? {} : { remaining: checked.remaining }),
    ...(refill === undefined ? {} : { refill: checked.refill }),
  };
}

/**
 * The credits a key has after `change`: a new balance restarts the refill clock at `now`; a new
 * refill alone keeps the balance and its clock. Throws for a refill alone on a key without credits.
 */
export function applyCreditsUpdate(
  current: ApiKeyCredits | null,
  change: CreditsUpdate | null,
  now: Date,
): ApiKeyCredits | null {
  if (change === null) return null;
  if (change.remaining === undefined && current === null) {
    throw new TypeError('@keygate/core: give credits.remaining to a key that has no credits');
  }
  return {
    remaining: change.remaining ?? current!.remaining,
    refill: change.refill === undefined ? (current?.refill ?? null) : change.refill,
    refilledAt: change.remaining === undefined ? current!.refilledAt : new Date(now.getTime()),
  };
}
