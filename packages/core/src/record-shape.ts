// Checks that a value a store returned really is an ApiKeyRecord: a broken store must fail
// closed (503), not crash a request or let a key through.
import type { ApiKeyRecord } from './record.js';

/** True when `value` has every field of an {@link ApiKeyRecord} with the right types. */
export function isApiKeyRecord(value: unknown): value is ApiKeyRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.id === 'string' &&
    (record.organisationId === null || typeof record.organisationId === 'string') &&
    typeof record.name === 'string' &&
    typeof record.prefix === 'string' &&
    typeof record.hash === 'string' &&
    typeof record.hashVersion === 'string' &&
    typeof record.environment === 'string' &&
    Array.isArray(record.scopes) &&
    record.scopes.every((scope) => typeof scope === 'string') &&
    typeof record.metadata === 'object' &&
    record.metadata !== null &&
    isDate(record.createdAt) &&
    isDateOrNull(record.expiresAt) &&
    isDateOrNull(record.lastUsedAt) &&
    isDateOrNull(record.revokedAt) &&
    (record.replacedById === null || typeof record.replacedById === 'string') &&
    isDateOrNull(record.disabledAt) &&
    isDateOrNull(record.leakedAt) &&
    (record.leakSource === null || typeof record.leakSource === 'string') &&
    isRateLimitOrNull(record.rateLimit) &&
    isCreditsOrNull(record.credits)
  );
}

function isRateLimitOrNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object' || value === undefined) return false;
  const { limit, windowMs } = value as Record<string, unknown>;
  return Number.isSafeInteger(limit) && Number.isSafeInteger(windowMs);
}

function isCreditsOrNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object' || value === undefined) return false;
  const { remaining, refill, refilledAt } = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(remaining) &&
    isDate(refilledAt) &&
    (refill === null ||
      (typeof refill === 'object' &&
        refill !== undefined &&
        Number.isSafeInteger((refill as Record<string, unknown>).amount) &&
        Number.isSafeInteger((refill as Record<string, unknown>).intervalMs)))
  );
}

function isDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function isDateOrNull(value: unknown): value is Date | null {
  return value === null || isDate(value);
}
