// The verifier's quota stage (docs/quotas.md): after a key is known to be valid, its rate limits
// (default, key, organisation: the strictest applies) and then its usage credits. A key without
// quotas never reaches here; with only in-memory limits the answer stays synchronous.
import type { AuthContext } from '../auth-context.js';
import { RateLimitedError, UsageExceededError } from '../errors.js';
import type { VerifyFailure } from '../refusals.js';
import type { CreditConsumption } from './credits.js';
import type { QuotaReport } from './quota-report.js';
import type {
  RateLimitDecision,
  RateLimiter,
  RateLimitRequest,
  RateLimitState,
} from './rate-limiter.js';

/** A valid key's quotas, worked out once when the key is loaded (policies, never counts). */
export interface QuotaPlan {
  readonly keyId: string;
  /** The limits the key counts against; empty when only credits apply. */
  readonly limits: readonly RateLimitRequest[];
  /** True when the key has usage credits. */
  readonly metered: boolean;
  /** The `RateLimit-Policy` value of `limits`, made once for every response (quota-report.ts). */
  readonly policyField: string;
}

/** An accepted request with the quota state the adapter turns into header fields. */
export interface QuotaSuccess {
  readonly ok: true;
  readonly context: AuthContext;
  readonly quota: QuotaReport;
}

/** What the stage needs from its verifier. */
export interface QuotaStageOptions {
  readonly limiter: RateLimiter;
  /** The store's `consumeCredits`, under the verifier's store deadline. */
  readonly consumeCredits: (
    id: string,
    cost: number,
    now: Date,
  ) => Promise<CreditConsumption | null>;
  /** Puts the verifier's store deadline on a limiter's answer. */
  readonly withDeadline: <T>(pending: Promise<T>) => Promise<T>;
  readonly storeUnavailable: VerifyFailure;
  readonly onError: (error: unknown, operation: 'rate-limit' | 'credits') => void;
}

const NO_LIMITS: readonly RateLimitState[] = Object.freeze([]);

const DETAILS: Readonly<Record<string, string>> = {
  organisation: "This organisation's API keys have made too many requests. Slow down.",
};
const KEY_DETAIL = 'This API key has made too many requests. Slow down.';

/** Applies rate limits, then credits, to an accepted key. */
export class QuotaStage {
  readonly #options: QuotaStageOptions;

  constructor(options: QuotaStageOptions) {
    this.#options = options;
  }

  /**
   * The answer for a valid key with quotas: `context` accepted with its quota report, or a
   * `rate_limited` / `usage_exceeded` / `key_store_unavailable` refusal.
   */
  apply(
    plan: QuotaPlan,
    context: AuthContext,
    now: number,
    cost: number,
  ): QuotaSuccess | VerifyFailure | Promise<QuotaSuccess | VerifyFailure> {
    if (plan.limits.length === 0) return this.#takeCredits(plan, context, now, cost, NO_LIMITS);
    let decision: RateLimitDecision | Promise<RateLimitDecision>;
    try {
      decision = this.#options.limiter.consume(plan.limits, 1, now);
    } catch (error) {
      return this.#limiterFailed(error);
    }
    if (isPromise(decision)) {
      return this.#options.withDeadline(decision).then(
        (settled) => this.#afterLimits(settled, plan, context, now, cost),
        (error: unknown) => this.#limiterFailed(error),
      );
    }
    return this.#afterLimits(decision, plan, context, now, cost);
  }

  #afterLimits(
    decision: RateLimitDecision,
    plan: QuotaPlan,
    context: AuthContext,
    now: number,
    cost: number,
  ): QuotaSuccess | VerifyFailure | Promise<QuotaSuccess | VerifyFailure> {
    if (decision.unavailable === true) return this.#options.storeUnavailable;
    if (!decision.allowed) return rateLimitedFailure(decision);
    return this.#takeCredits(plan, context, now, cost, decision.states);
  }

  #takeCredits(
    plan: QuotaPlan,
    context: AuthContext,
    now: number,
    cost: number,
    states: readonly RateLimitState[],
  ): QuotaSuccess | VerifyFailure | Promise<QuotaSuccess | VerifyFailure> {
    if (!plan.metered || cost === 0) return accepted(plan, context, states, undefined);
    return this.#options.consumeCredits(plan.keyId, cost, new Date(now)).then(
      (answer) => {
        // No credits any more (removed, or the key deleted since it was cached): unmetered.
        if (answer === null) return accepted(plan, context, states, undefined);
        if (answer.ok) return accepted(plan, context, states, answer.remaining);
        return usageExceededFailure(answer, states, now);
      },
      (error: unknown) => {
        this.#options.onError(error, 'credits');
        return this.#options.storeUnavailable;
      },
    );
  }

  #limiterFailed(error: unknown): VerifyFailure {
    // A limiter that throws has no fail-open policy of its own to apply: fail closed.
    this.#options.onError(error, 'rate-limit');
    return this.#options.storeUnavailable;
  }
}

function accepted(
  plan: QuotaPlan,
  context: AuthContext,
  rateLimits: readonly RateLimitState[],
  creditsRemaining: number | undefined,
): QuotaSuccess {
  // The limiter answers one state per limit, in the plan's order, or none when it failed open.
  const policyField = rateLimits.length === plan.limits.length ? plan.policyField : undefined;
  return { ok: true, context, quota: { rateLimits, creditsRemaining, policyField } };
}

function rateLimitedFailure(decision: RateLimitDecision): VerifyFailure {
  const exhausted = decision.states.find((state) => state.remaining === 0);
  const detail = (exhausted && DETAILS[exhausted.name]) ?? KEY_DETAIL;
  return {
    ok: false,
    error: new RateLimitedError(detail, {
      retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)),
      quota: { rateLimits: decision.states, creditsRemaining: undefined },
    }),
  };
}

function usageExceededFailure(
  answer: CreditConsumption,
  states: readonly RateLimitState[],
  now: number,
): VerifyFailure {
  const refill = answer.nextRefillAt;
  return {
    ok: false,
    error: new UsageExceededError(
      refill === null
        ? 'This API key has used all its credits.'
        : `This API key has used all its credits. They are refilled at ${refill.toISOString()}.`,
      {
        ...(refill === null
          ? {}
          : { retryAfterSeconds: Math.max(1, Math.ceil((refill.getTime() - now) / 1000)) }),
        quota: { rateLimits: states, creditsRemaining: answer.remaining },
      },
    ),
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
