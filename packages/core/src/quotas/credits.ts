// Usage credits on a key (docs/quotas.md, "Usage credits"): what is left, the optional refill, and
// the one rule every store applies when it takes credits, so that all stores agree to the unit.

/** How a key's credits come back: topped up to `amount` every `intervalMs`. */
export interface CreditRefill {
  /** Credits after a refill (a refill never lowers a larger balance). */
  readonly amount: number;
  /** Milliseconds between refills, counted from `refilledAt`. */
  readonly intervalMs: number;
}

/** A key's usage credits, stored on its record (`credits`; `null` = unmetered). */
export interface ApiKeyCredits {
  /** Credits left; never below 0. */
  readonly remaining: number;
  readonly refill: CreditRefill | null;
  /** When the balance was last set or refilled; refills fall at this time plus whole intervals. */
  readonly refilledAt: Date;
}

/** What a store answers when it takes credits (see `KeyStore.consumeCredits`). */
export interface CreditConsumption {
  /** True when the key had enough and `cost` was taken. */
  readonly ok: boolean;
  /** Credits left after this request (unchanged when refused). */
  readonly remaining: number;
  /** The next refill, or `null` without one. */
  readonly nextRefillAt: Date | null;
}

/** Largest balance, refill amount or cost: far beyond any plan, and exact in every store. */
export const MAX_CREDITS = 1_000_000_000_000;
/** Shortest refill interval: one minute. */
export const MIN_REFILL_INTERVAL_MS = 60_000;
/** Longest refill interval: one year. */
export const MAX_REFILL_INTERVAL_MS = 366 * 86_400_000;

/** The same credits in plain numbers, as stores keep them. */
export interface CreditColumns {
  remaining: number;
  refillAmount: number | null;
  refillIntervalMs: number | null;
  refilledAt: number;
}

/**
 * Applies the refills due at `now` and takes `cost` if there is enough: the rule of every store
 * (the Redis script carries the same steps in Lua). Returns the new columns and the answer.
 *
 * @example
 * ```ts
 * const { columns, consumption } = takeCredits(stored, 1, Date.now());
 * if (consumption.ok) save(columns);
 * ```
 */
export function takeCredits(
  stored: CreditColumns,
  cost: number,
  now: number,
): { columns: CreditColumns; consumption: CreditConsumption; changed: boolean } {
  let { remaining, refilledAt } = stored;
  const { refillAmount, refillIntervalMs } = stored;
  let changed = false;
  if (refillAmount !== null && refillIntervalMs !== null && now >= refilledAt + refillIntervalMs) {
    const periods = Math.floor((now - refilledAt) / refillIntervalMs);
    refilledAt += periods * refillIntervalMs;
    if (remaining < refillAmount) remaining = refillAmount;
    changed = true;
  }
  const ok = remaining >= cost;
  if (ok && cost > 0) {
    remaining -= cost;
    changed = true;
  }
  return {
    columns: { remaining, refillAmount, refillIntervalMs, refilledAt },
    consumption: {
      ok,
      remaining,
      nextRefillAt:
        refillAmount !== null && refillIntervalMs !== null
          ? new Date(refilledAt + refillIntervalMs)
          : null,
    },
    changed,
  };
}

/** The credits of a record as plain numbers. */
export function creditColumnsOf(credits: ApiKeyCredits): CreditColumns {
  return {
    remaining: credits.remaining,
    refillAmount: credits.refill?.amount ?? null,
    refillIntervalMs: credits.refill?.intervalMs ?? null,
    refilledAt: credits.refilledAt.getTime(),
  };
}

/** Plain numbers back into the record's shape. */
export function creditsFromColumns(columns: CreditColumns): ApiKeyCredits {
  return {
    remaining: columns.remaining,
    refill:
      columns.refillAmount === null || columns.refillIntervalMs === null
        ? null
        : { amount: columns.refillAmount, intervalMs: columns.refillIntervalMs },
    refilledAt: new Date(columns.refilledAt),
  };
}

/**
 * Checks credits (as the key manager receives them) and returns a normalised copy; throws a
 * `TypeError`/`RangeError` that says what is wrong.
 *
 * @example
 * ```ts
 * checkCredits({ remaining: 500, refill: { amount: 500, intervalMs: 86_400_000 }, refilledAt: new Date() });
 * ```
 */
export function checkCredits(value: unknown, packageName = '@keygate/core'): ApiKeyCredits {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${packageName}: credits must be { remaining, refill?, refilledAt? }`);
  }
  const { remaining, refill, refilledAt } = value as Partial<ApiKeyCredits>;
  const checkedRemaining = wholeCredits(remaining, 'credits.remaining', packageName);
  let checkedRefill: CreditRefill | null = null;
  if (refill !== undefined && refill !== null) {
    if (typeof refill !== 'object') {
      throw new TypeError(`${packageName}: credits.refill must be { amount, intervalMs } or null`);
    }
    const intervalMs = refill.intervalMs;
    if (
      typeof intervalMs !== 'number' ||
      !Number.isSafeInteger(intervalMs) ||
      intervalMs < MIN_REFILL_INTERVAL_MS ||
      intervalMs > MAX_REFILL_INTERVAL_MS
    ) {
      throw new RangeError(
        `${packageName}: credits.refill.intervalMs must be whole milliseconds from 1 minute to 1 year`,
      );
    }
    checkedRefill = {
      amount: wholeCredits(refill.amount, 'credits.refill.amount', packageName),
      intervalMs,
    };
  }
  let checkedRefilledAt = new Date();
  if (refilledAt !== undefined) {
    if (!(refilledAt instanceof Date) || Number.isNaN(refilledAt.getTime())) {
      throw new TypeError(`${packageName}: credits.refilledAt must be a valid Date`);
    }
    checkedRefilledAt = new Date(refilledAt.getTime());
  }
  return { remaining: checkedRemaining, refill: checkedRefill, refilledAt: checkedRefilledAt };
}

/** A credit cost: a whole number from 0 to {@link MAX_CREDITS}. */
export function checkCreditCost(
  cost: unknown,
  what = 'cost',
  packageName = '@keygate/core',
): number {
  return wholeCredits(cost, what, packageName);
}

function wholeCredits(value: unknown, what: string, packageName: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 0 ||
    value > MAX_CREDITS
  ) {
    throw new RangeError(
      `${packageName}: ${what} must be a whole number from 0 to ${MAX_CREDITS}, got ${String(value)}`,
    );
  }
  return value;
}
