// What verify() answers and what it takes per request: shared by the verifier's modules.
import type { AuthContext } from './auth-context.js';
import type { QuotaReport } from './quotas/quota-report.js';
import type { VerifyFailure } from './refusals.js';

/** An accepted verification. */
export interface VerifySuccess {
  readonly ok: true;
  readonly context: AuthContext;
  /**
   * Present when the key has quotas: where its rate limits and credits stand after this request.
   * Adapters send it as header fields (`verifier.quotaHeaders(result)`).
   */
  readonly quota?: QuotaReport;
}

/** The answer of `Verifier.verify`. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** Per-request options of `Verifier.verify`. */
export interface VerifyOptions {
  /** Scopes the route needs; a key without all of them is refused with `insufficient_scope`. */
  readonly requiredScopes?: readonly string[];
  /** The request has an `Authorization` header: a missing key's message then says where to put it. */
  readonly hasAuthorizationHeader?: boolean;
  /** Usage credits this request costs a key that has credits (default 1; 0: free). */
  readonly cost?: number;
  /**
   * The client's address, read from the `request` passed to `verify` (only on a cache miss). With
   * it the refusal budget applies: too many unknown keys from one address are refused without a
   * store read. Adapters pass the framework's client IP; bare `verify()` calls have no budget.
   */
  readonly clientAddress?: (request: unknown) => string | undefined;
}
