// What the quota stage tells the adapter about an accepted or refused request, and the response
// header fields it becomes: the IETF RateLimit / RateLimit-Policy fields (or the older trio) and
// the remaining credits. Core builds them so that every adapter writes the same bytes.
import type { RateLimitState } from './rate-limiter.js';

/** Where a request left the key's quotas. */
export interface QuotaReport {
  /** Every rate limit that applied (empty when none did, or the limiter's store failed open). */
  readonly rateLimits: readonly RateLimitState[];
  /** Credits left after the request; `undefined` for a key without credits. */
  readonly creditsRemaining: number | undefined;
  /**
   * The `RateLimit-Policy` value of `rateLimits`, when the verifier made it once for the key (the
   * policies never change between requests); built from `rateLimits` when absent.
   */
  readonly policyField?: string | undefined;
}

/**
 * Which rate-limit fields responses carry: `draft` (default) the `RateLimit-Policy` and
 * `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers (structured-field lists, one item
 * per policy: `"key";q=100;w=60` and `"key";r=42;t=60`); `legacy` the older `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` of the strictest policy; `none` neither.
 */
export type RateLimitHeaderStyle = 'draft' | 'legacy' | 'none';

/** The header that carries the credits a key has left after the request. */
export const CREDITS_REMAINING_HEADER = 'credits-remaining';

/**
 * The response header fields for a quota report (lowercase names), or `undefined` when there are
 * none to send.
 *
 * @example
 * ```ts
 * quotaHeaders({ rateLimits: [{ name: 'key', limit: 100, windowMs: 60_000, remaining: 99, resetMs: 120_000 }], creditsRemaining: 499 }, 'draft');
 * // { 'ratelimit-policy': '"key";q=100;w=60', ratelimit: '"key";r=99;t=120', 'credits-remaining': '499' }
 * ```
 */
export function quotaHeaders(
  report: QuotaReport,
  style: RateLimitHeaderStyle,
): Record<string, string> | undefined {
  const states = report.rateLimits;
  let headers: Record<string, string> | undefined;
  if (states.length > 0 && style !== 'none') {
    headers = {};
    if (style === 'draft') {
      let current = '';
      for (const state of states) {
        const separator = current === '' ? '' : ', ';
        current += `${separator}"${state.name}";r=${state.remaining};t=${Math.ceil(state.resetMs / 1000)}`;
      }
      headers['ratelimit-policy'] = report.policyField ?? rateLimitPolicyField(states);
      headers.ratelimit = current;
    } else {
      const strictest = strictestOf(states);
      headers['ratelimit-limit'] = String(strictest.limit);
      headers['ratelimit-remaining'] = String(strictest.remaining);
      headers['ratelimit-reset'] = String(Math.ceil(strictest.resetMs / 1000));
    }
  }
  if (report.creditsRemaining !== undefined) {
    headers ??= {};
    headers[CREDITS_REMAINING_HEADER] = String(report.creditsRemaining);
  }
  return headers;
}

/**
 * The draft `RateLimit-Policy` value for `limits`: one item per limit, `"key";q=100;w=60`.
 *
 * @example
 * ```ts
 * rateLimitPolicyField([{ name: 'key', limit: 100, windowMs: 60_000 }]); // '"key";q=100;w=60'
 * ```
 */
export function rateLimitPolicyField(
  limits: readonly { readonly name: string; readonly limit: number; readonly windowMs: number }[],
): string {
  let field = '';
  for (const { name, limit, windowMs } of limits) {
    field += `${field === '' ? '' : ', '}"${name}";q=${limit};w=${windowMs / 1000}`;
  }
  return field;
}

// The policy a client runs into first: the fewest requests left, then the longest wait.
function strictestOf(states: readonly RateLimitState[]): RateLimitState {
  let strictest = states[0]!;
  for (const state of states) {
    if (
      state.remaining < strictest.remaining ||
      (state.remaining === strictest.remaining && state.resetMs > strictest.resetMs)
    ) {
      strictest = state;
    }
  }
  return strictest;
}
