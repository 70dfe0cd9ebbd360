// A key as stored (docs/design.md, "Storage"): its digest and display prefix, never the key.
import type { ApiKeyCredits, CreditRefill } from './quotas/credits.js';
import type { RateLimitPolicy } from './quotas/rate-limit-policy.js';

/**
 * One API key as a store holds it. `hash` is the digest of the whole key string; the key itself
 * is never stored.
 */
export interface ApiKeyRecord {
  /** Opaque, unique id (a UUID by default). Safe to show and to log. */
  readonly id: string;
  /** The organisation the key acts for, or `null` (such a key is refused with `missing_organisation`). */
  readonly organisationId: string | null;
  /** A human name, such as "Production API". */
  readonly name: string;
  /** The first 14 characters of the key (`sk_live_` and 6 more), for telling keys apart in a list. */
  readonly prefix: string;
  /** The key's digest, base64url (see `hashVersion`). */
  readonly hash: string;
  /** Which digest made `hash`: `sha256` or `hmac-sha256:<pepperId>`. */
  readonly hashVersion: string;
  /** The environment the key was issued for (`live`, `test`, …). */
  readonly environment: string;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  /** Set by rotation: the id of the key that replaces this one. */
  readonly replacedById: string | null;
  /** When the key was disabled; `null` while enabled. Unlike a revocation, it can be undone. */
  readonly disabledAt: Date | null;
  /** The key's own rate limit (on top of the default and its organisation's), or `null`. */
  readonly rateLimit: RateLimitPolicy | null;
  /** The key's usage credits, or `null` for a key that is not metered. */
  readonly credits: ApiKeyCredits | null;
  /** When a secret scanner first reported the key as public (it may still work: see `revokedAt`). */
  readonly leakedAt: Date | null;
  /** Where the leak was found (a URL, such as the GitHub file), or `null` when not known. */
  readonly leakSource: string | null;
}

/** The fields of a record that an update may change; a field left out is kept as it is. */
export interface ApiKeyRecordChanges {
  readonly name?: string;
  readonly expiresAt?: Date | null;
  readonly revokedAt?: Date | null;
  readonly replacedById?: string | null;
  /** A date disables the key, `null` enables it again. */
  readonly disabledAt?: Date | null;
  readonly leakedAt?: Date | null;
  readonly leakSource?: string | null;
  readonly scopes?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A re-hash (pepper rotation) changes both together. */
  readonly hash?: string;
  readonly hashVersion?: string;
  readonly rateLimit?: RateLimitPolicy | null;
  /** Replaces the whole balance, refill and refill time (`KeyStore.consumeCredits` takes credits). */
  readonly credits?: ApiKeyCredits | null;
  /**
   * Changes only the refill of a key that has credits (`null`: no refill), leaving the balance and
   * its refill time as the store holds them at the write, so that credits taken between a read
   * and this write stay taken. Nothing changes on a key without credits. Not given with `credits`.
   */
  readonly creditRefill?: CreditRefill | null;
}

/** What a listing shows: a record without its digest. */
export type ApiKeySummary = Omit<ApiKeyRecord, 'hash' | 'hashVersion'> & {
  readonly status: ApiKeyStatus;
};

/** The state of a key at a given time. */
export type ApiKeyStatus = 'active' | 'expired' | 'revoked' | 'disabled';

/**
 * The status of `record` at `now`, in the verifier's order: revocation wins over a disabled key,
 * which wins over expiry.
 */
export function apiKeyStatus(record: ApiKeyRecord, now: number = Date.now()): ApiKeyStatus {
  if (record.revokedAt !== null && record.revokedAt.getTime() <= now) return 'revoked';
  if (record.disabledAt !== null && record.disabledAt.getTime() <= now) return 'disabled';
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

/** The record as a listing may show it: every field but the digest, plus its status. */
export function toApiKeySummary(record: ApiKeyRecord, now: number = Date.now()): ApiKeySummary {
  const { hash: _hash, hashVersion: _hashVersion, ...visible } = record;
  return { ...visible, status: apiKeyStatus(record, now) };
}
