// The verifier's quota stage, wired to its options: credits are consumed in the store and limits
// counted in the rate limiter, each under the verifier's store deadline (docs/faults.md), and
// failures reported to `onError` and answered as the store's unavailability.
import { withDeadline } from '../deadline.js';
import { withStoreDeadline } from '../record-lookup.js';
import type { VerifyFailure } from '../refusals.js';
import type { ResolvedVerifierOptions } from '../verifier-options.js';
import { QuotaStage } from './quota-stage.js';
import type { RateLimiter } from './rate-limiter.js';

/** The quota stage of a verifier with these options, counting in `limiter`. */
export function verifierQuotaStage(
  options: ResolvedVerifierOptions,
  limiter: RateLimiter,
  storeUnavailable: VerifyFailure,
): QuotaStage {
  const timeoutMs = options.storeTimeoutMs;
  return new QuotaStage({
    limiter,
    consumeCredits: (id, cost, now) =>
      withStoreDeadline(
        options,
        () => options.store.consumeCredits(id, cost, now),
        Date.now() + timeoutMs,
      ),
    withDeadline: (pending) =>
      withDeadline(
        () => pending,
        timeoutMs,
        `the rate limiter did not answer within ${timeoutMs} ms`,
      ),
    storeUnavailable,
    onError: (error, operation) => options.onError(error, operation),
  });
}
