// Turns records into Redis hash fields and back, losing nothing: times to the millisecond, nulls,
// scopes and nested metadata.
import type {
  ApiKeyCredits,
  ApiKeyRecord,
  ApiKeyRecordChanges,
  ApiKeyUpdateCondition,
  CreditRefill,
  RateLimitPolicy,
} from '@keygate/core';

// A null field is an absent hash field, so no string value has to mean "null".
// `listing` is the store's own: the record's member in its organisation's sorted set, kept so
// that a delete can find it without recomputing it in Lua.
export const LISTING_FIELD = 'listing';

/** A record as flat `field, value, …` pairs for `HSET`. */
export function encodeRecord(record: ApiKeyRecord, listing: string | null): string[] {
  const fields = [
    'id',
    record.id,
    'name',
    record.name,
    'prefix',
    record.prefix,
    'hash',
    record.hash,
    'hashVersion',
    record.hashVersion,
    'environment',
    record.environment,
    'scopes',
    JSON.stringify(record.scopes),
    'metadata',
    JSON.stringify(record.metadata),
    'createdAt',
    String(record.createdAt.getTime()),
  ];
  pushNullable(fields, 'organisationId', record.organisationId);
  pushNullable(fields, 'expiresAt', timeOf(record.expiresAt));
  pushNullable(fields, 'lastUsedAt', timeOf(record.lastUsedAt));
  pushNullable(fields, 'revokedAt', timeOf(record.revokedAt));
  pushNullable(fields, 'replacedById', record.replacedById);
  pushNullable(fields, 'disabledAt', timeOf(record.disabledAt));
  fields.push(...encodeRateLimit(record.rateLimit).set, ...encodeCredits(record.credits).set);
  pushNullable(fields, 'leakedAt', timeOf(record.leakedAt));
  pushNullable(fields, 'leakSource', record.leakSource);
  if (listing !== null) fields.push(LISTING_FIELD, listing);
  return fields;
}

/**
 * The fields an update condition requires to be null, as hash fields (a null field is an absent
 * one, so the script checks that each is missing).
 */
export function encodeCondition(condition: ApiKeyUpdateCondition | undefined): string[] {
  const absent: string[] = [];
  if (condition?.revokedAt === null) absent.push('revokedAt');
  if (condition?.replacedById === null) absent.push('replacedById');
  return absent;
}

/** What an update writes (`HSET` pairs) and removes (`HDEL` fields, for values set to null). */
export interface EncodedChanges {
  readonly set: string[];
  readonly unset: string[];
}

/** The fields an update names; a field left out (undefined) is not touched. */
export function encodeChanges(changes: ApiKeyRecordChanges): EncodedChanges {
  const set: string[] = [];
  const unset: string[] = [];
  const put = (field: string, value: string | null | undefined): void => {
    if (value === undefined) return;
    if (value === null) unset.push(field);
    else set.push(field, value);
  };
  put('name', changes.name);
  put('expiresAt', changes.expiresAt === undefined ? undefined : timeOf(changes.expiresAt));
  put('revokedAt', changes.revokedAt === undefined ? undefined : timeOf(changes.revokedAt));
  put('replacedById', changes.replacedById);
  put('disabledAt', changes.disabledAt === undefined ? undefined : timeOf(changes.disabledAt));
  put('leakedAt', changes.leakedAt === undefined ? undefined : timeOf(changes.leakedAt));
  put('leakSource', changes.leakSource);
  put('scopes', changes.scopes === undefined ? undefined : JSON.stringify(changes.scopes));
  put('metadata', changes.metadata === undefined ? undefined : JSON.stringify(changes.metadata));
  put('hash', changes.hash);
  put('hashVersion', changes.hashVersion);
  for (const encoded of [
    changes.rateLimit === undefined ? undefined : encodeRateLimit(changes.rateLimit),
    changes.credits === undefined ? undefined : encodeCredits(changes.credits),
    changes.creditRefill === undefined ? undefined : encodeCreditRefill(changes.creditRefill),
  ]) {
    if (encoded === undefined) continue;
    set.push(...encoded.set);
    unset.push(...encoded.unset);
  }
  return { set, unset };
}

/**
 * The credit fields, one hash field each so the credit script can change the balance alone:
 * `creditsRemaining`, `creditsRefilledAt`, and with a refill `creditsRefillAmount` and
 * `creditsRefillIntervalMs`.
 */
export const CREDIT_FIELDS = [
  'creditsRemaining',
  'creditsRefillAmount',
  'creditsRefillIntervalMs',
  'creditsRefilledAt',
] as const;

function encodeRateLimit(policy: RateLimitPolicy | null): EncodedChanges {
  return policy === null
    ? { set: [], unset: ['rateLimit'] }
    : { set: ['rateLimit', `${policy.limit}/${policy.windowMs}`], unset: [] };
}

// The refill fields alone: the balance is the hash's own at the write. Without creditsRemaining
// (a key without credits) they are ignored when read.
function encodeCreditRefill(refill: CreditRefill | null): EncodedChanges {
  return refill === null
    ? { set: [], unset: ['creditsRefillAmount', 'creditsRefillIntervalMs'] }
    : {
        set: [
          'creditsRefillAmount',
          String(refill.amount),
          'creditsRefillIntervalMs',
          String(refill.intervalMs),
        ],
        unset: [],
      };
}

function encodeCredits(credits: ApiKeyCredits | null): EncodedChanges {
  if (credits === null) return { set: [], unset: [...CREDIT_FIELDS] };
  const set = [
    'creditsRemaining',
    String(credits.remaining),
    'creditsRefilledAt',
    String(credits.refilledAt.getTime()),
  ];
  if (credits.refill === null) {
    return { set, unset: ['creditsRefillAmount', 'creditsRefillIntervalMs'] };
  }
  set.push(
    'creditsRefillAmount',
    String(credits.refill.amount),
    'creditsRefillIntervalMs',
    String(credits.refill.intervalMs),
  );
  return { set, unset: [] };
}

function decodeRateLimit(value: string | undefined): RateLimitPolicy | null {
  if (value === undefined) return null;
  const [limit, windowMs] = value.split('/').map(Number);
  return { limit: limit!, windowMs: windowMs! };
}

function decodeCredits(map: Readonly<Record<string, string>>): ApiKeyCredits | null {
  const remaining = map.creditsRemaining;
  if (remaining === undefined) return null;
  const amount = map.creditsRefillAmount;
  const intervalMs = map.creditsRefillIntervalMs;
  return {
    remaining: Number(remaining),
    refill:
      amount === undefined || intervalMs === undefined
        ? null
        : { amount: Number(amount), intervalMs: Number(intervalMs) },
    refilledAt: new Date(Number(required(map, 'creditsRefilledAt'))),
  };
}

/**
 * A record from `HGETALL` output (an object from ioredis, or a flat array from a script), or
 * `null` when the hash is empty (no such record).
 */
export function decodeRecord(
  fields: Readonly<Record<string, string>> | readonly unknown[],
): ApiKeyRecord | null {
  const map = Array.isArray(fields) ? pairsToObject(fields) : (fields as Record<string, string>);
  const id = map.id;
  if (id === undefined) return null;
  return {
    id,
    organisationId: map.organisationId ?? null,
    name: required(map, 'name'),
    prefix: required(map, 'prefix'),
    hash: required(map, 'hash'),
    hashVersion: required(map, 'hashVersion'),
    environment: required(map, 'environment'),
    scopes: JSON.parse(required(map, 'scopes')) as string[],
    metadata: JSON.parse(required(map, 'metadata')) as Record<string, unknown>,
    createdAt: new Date(Number(required(map, 'createdAt'))),
    expiresAt: dateOf(map.expiresAt),
    lastUsedAt: dateOf(map.lastUsedAt),
    revokedAt: dateOf(map.revokedAt),
    replacedById: map.replacedById ?? null,
    disabledAt: dateOf(map.disabledAt),
    rateLimit: decodeRateLimit(map.rateLimit),
    credits: decodeCredits(map),
    leakedAt: dateOf(map.leakedAt),
    leakSource: map.leakSource ?? null,
  };
}

function pushNullable(fields: string[], field: string, value: string | null): void {
  if (value !== null) fields.push(field, value);
}

function timeOf(date: Date | null): string | null {
  return date === null ? null : String(date.getTime());
}

function dateOf(value: string | undefined): Date | null {
  return value === undefined ? null : new Date(Number(value));
}

function required(map: Readonly<Record<string, string>>, field: string): string {
  const value = map[field];
  // A record is written whole by one script, so a missing field means someone else wrote there.
  if (value === undefined) throw new Error(`@keygate/redis: stored record lacks its ${field}`);
  return value;
}

function pairsToObject(pairs: readonly unknown[]): Record<string, string> {
  // No prototype: a field named `__proto__` stays a field.
  const map: Record<string, string> = Object.create(null);
  for (let index = 0; index + 1 < pairs.length; index += 2) {
    map[String(pairs[index])] = String(pairs[index + 1]);
  }
  return map;
}
