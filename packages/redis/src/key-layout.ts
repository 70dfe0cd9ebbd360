// Where a namespace's data lives in Redis: every key shares one hash tag, so that each script
// touches a single Cluster slot.

/**
 * The default namespace, and so the default hash tag: `{keygate}`.
 *
 * @example
 * ```ts
 * new RedisKeyStore({ client, namespace: DEFAULT_NAMESPACE }); // the same as leaving it out
 * ```
 */
export const DEFAULT_NAMESPACE = 'keygate';

// Dates span ±8.64e15 ms; shifting negatives by that much keeps every value an exact integer.
const DATE_RANGE_MS = 8_640_000_000_000_000;
const TIME_DIGITS = 16;

/**
 * The key names of one namespace. Scripts receive the keys they know in advance as `KEYS`, and the
 * ones they find on the way (a record's digest, its organisation) are built in Lua from the bases
 * here, which already carry the client's own `keyPrefix` (ioredis adds it to `KEYS` only).
 */
export class KeyLayout {
  readonly #tag: string;
  /** The record hash of an id, as Lua builds it: base + id. */
  readonly recordBase: string;
  /** The digest index of a digest, as Lua builds it: base + digest. */
  readonly digestBase: string;
  /** An organisation's listing, as Lua builds it: base + organisation id. */
  readonly organisationBase: string;

  constructor(namespace: string, clientKeyPrefix = '') {
    this.#tag = `{${namespace}}`;
    this.recordBase = `${clientKeyPrefix}${this.#tag}:key:`;
    this.digestBase = `${clientKeyPrefix}${this.#tag}:digest:`;
    this.organisationBase = `${clientKeyPrefix}${this.#tag}:org:`;
  }

  /** The hash that holds one record: `{namespace}:key:<id>`. */
  recordKey(id: string): string {
    return `${this.#tag}:key:${id}`;
  }

  /** The string that maps a digest to its record's id: `{namespace}:digest:<hash>`. */
  digestKey(hash: string): string {
    return `${this.#tag}:digest:${hash}`;
  }

  /**
   * A rate-limit counter: one fixed window of one subject, `{namespace}:rl:<subject>:<window>`
   * (the window's index since the epoch). Under the namespace's hash tag like every other key.
   */
  rateLimitKey(subject: string, window: number): string {
    return `${this.#tag}:rl:${subject}:${window}`;
  }

  /**
   * The capped stream of an organisation's audit events: `{namespace}:audit:<organisationId>`
   * (`{namespace}:audit:` for keys without one).
   */
  auditKey(organisationId: string | null): string {
    return `${this.#tag}:audit:${organisationId ?? ''}`;
  }

  /** The hash of a key's usage counts, fields `<day>:a` and `<day>:r`: `{namespace}:usage:<id>`. */
  usageKey(keyId: string): string {
    return `${this.#tag}:usage:${keyId}`;
  }

  /** The sorted set that lists an organisation's records: `{namespace}:org:<organisationId>`. */
  organisationKey(organisationId: string): string {
    return `${this.#tag}:org:${organisationId}`;
  }
}

/**
 * A record's member in its organisation's sorted set. All members score 0, so Redis orders them
 * by bytes: a fixed-width time, then the id. Reading the set backwards is newest first, ties by
 * id descending, and a cursor becomes an exclusive bound of `ZREVRANGEBYLEX`.
 */
export function listingEntry(createdAt: number, id: string): string {
  if (!Number.isSafeInteger(createdAt) || Math.abs(createdAt) > DATE_RANGE_MS) {
    throw new RangeError('@keygate/redis: createdAt must be a valid date');
  }
  // '0' before '1' puts times before 1970 first; shifted, they count up like the others.
  const time =
    createdAt < 0
      ? `0${String(createdAt + DATE_RANGE_MS).padStart(TIME_DIGITS, '0')}`
      : `1${String(createdAt).padStart(TIME_DIGITS, '0')}`;
  return `${time}:${id}`;
}

/** Where the id starts in a listing entry (Lua strings count from 1). */
export const LISTING_ID_OFFSET = TIME_DIGITS + 3;
