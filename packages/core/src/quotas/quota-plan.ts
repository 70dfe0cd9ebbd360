// Which limits and credits a valid key counts against (docs/quotas.md, "Where limits come
// from"): the verifier's default, the key's own and its organisation's, the strictest applying
// at request time. Worked out once when a key is loaded from the store; a cache hit reads it.
import type { Organisation } from '../auth-context.js';
import type { ApiKeyRecord } from '../record.js';
import { rateLimitPolicyField } from './quota-report.js';
import type { QuotaPlan } from './quota-stage.js';
import { checkRateLimitPolicy, type RateLimitPolicy } from './rate-limit-policy.js';
import type { RateLimitRequest } from './rate-limiter.js';

/** The verifier options a plan is made from. */
export interface QuotaPlanOptions {
  readonly rateLimit: RateLimitPolicy | undefined;
  readonly organisationRateLimit:
    | ((organisation: Organisation) => RateLimitPolicy | null | undefined)
    | undefined;
}

/**
 * The key's quota plan, or `undefined` when it has neither a limit nor credits (such a key costs
 * nothing more on the hot path). Throws when `organisationRateLimit` throws or answers something
 * that is not a policy: a host bug, which the verifier answers like a failing store.
 */
export function quotaPlanFor(
  record: ApiKeyRecord,
  organisation: Organisation,
  options: QuotaPlanOptions,
): QuotaPlan | undefined {
  const limits: RateLimitRequest[] = [];
  const fallback = options.rateLimit;
  if (fallback !== undefined) {
    limits.push({
      subject: `default:${record.id}:${fallback.windowMs}`,
      name: 'default',
      policy: fallback,
    });
  }
  if (record.rateLimit !== null) {
    limits.push({
      subject: `key:${record.id}:${record.rateLimit.windowMs}`,
      name: 'key',
      policy: record.rateLimit,
    });
  }
  const ofOrganisation = options.organisationRateLimit?.(organisation);
  if (ofOrganisation !== undefined && ofOrganisation !== null) {
    const policy = checkRateLimitPolicy(ofOrganisation, 'organisationRateLimit()');
    limits.push({
      subject: `organisation:${record.organisationId}:${policy.windowMs}`,
      name: 'organisation',
      policy,
    });
  }
  if (limits.length === 0 && record.credits === null) return undefined;
  return {
    keyId: record.id,
    limits,
    metered: record.credits !== null,
    policyField: rateLimitPolicyField(
      limits.map(({ name, policy }) => ({ name, limit: policy.limit, windowMs: policy.windowMs })),
    ),
  };
}
