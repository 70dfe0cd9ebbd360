// The verifier's in-process cache (docs/design.md, "Caching and invalidation"): answers keyed by
// the key's keyed-BLAKE3 tag (cache-tag.ts), never by the key, with an index from each digest the
// store knows the record by to that tag, so that an invalidation event (which names the stored
// digest) finds the entry. Valid and refused answers live in two bounded caches of their own.
import type { AuthContext } from './auth-context.js';
import { BoundedCache } from './bounded-cache.js';
import type { QuotaPlan } from './quotas/quota-stage.js';
import type { VerifyResult } from './verifier-result.js';

/**
 * A cached answer. Valid keys keep their prebuilt success and the state that changes per use;
 * refusals keep their prebuilt failure.
 */
export interface CachedKey {
  readonly result: VerifyResult;
  readonly id: string | undefined;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  cachedUntil: number;
  /**
   * From when a hit reloads the entry in the background (the last quarter of its TTL). Set to
   * +Infinity once a reload has started, and for an entry that is not cached.
   */
  refreshAt: number;
  lastUsedMarkedAt: number;
  /** The key's quota policies (never their counts, which live in the rate limiter and store). */
  readonly quota: QuotaPlan | undefined;
  /** The tag it is cached under and the digests that lead to it (set when it is cached). */
  tag: string;
  digests: readonly string[];
}

/** An entry for a refusal (of a known record when `id` is given). */
export function refusedEntry(result: VerifyResult, id?: string): CachedKey {
  return {
    result,
    id,
    expiresAt: Number.POSITIVE_INFINITY,
    scopes: [],
    cachedUntil: 0,
    refreshAt: Number.POSITIVE_INFINITY,
    lastUsedMarkedAt: 0,
    quota: undefined,
    tag: '',
    digests: [],
  };
}

/**
 * An entry for a valid key. A refreshed entry keeps the last-used mark of the one it replaces, so
 * that a TTL expiry does not write the key's last use again.
 */
export function acceptedEntry(
  context: AuthContext,
  quota: QuotaPlan | undefined,
  replaced: CachedKey | undefined,
): CachedKey {
  return {
    result: Object.freeze({ ok: true, context }),
    id: context.keyId,
    expiresAt: context.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    scopes: context.scopes,
    cachedUntil: 0,
    refreshAt: Number.POSITIVE_INFINITY,
    lastUsedMarkedAt:
      replaced?.id === context.keyId ? replaced.lastUsedMarkedAt : Number.NEGATIVE_INFINITY,
    quota,
    tag: '',
    digests: [],
  };
}

/** How long answers are kept and how many. */
export interface VerifierCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
}

/** Valid and refused answers by tag, and the digest → tag index that invalidation uses. */
export class VerifierCache {
  readonly #options: VerifierCacheOptions;
  readonly #valid: BoundedCache<string, CachedKey>;
  readonly #refused: BoundedCache<string, CachedKey>;
  // Every digest a cached entry is known by (the current digest of its key, and the stored one
  // when an older pepper found the record) → its tag. Entries leave it when they leave the cache.
  readonly #tagOf = new Map<string, string>();

  constructor(options: VerifierCacheOptions) {
    this.#options = options;
    const forget = (_tag: string, entry: CachedKey) => this.#unindex(entry);
    this.#valid = new BoundedCache(options.maxEntries, forget);
    this.#refused = new BoundedCache(options.maxEntries, forget);
  }

  /** The entry cached under `tag`, fresh or not (the caller checks `cachedUntil`). */
  get(tag: string): CachedKey | undefined {
    return this.#valid.get(tag) ?? this.#refused.get(tag);
  }

  /** The entry that `digest` leads to, if one is cached. */
  byDigest(digest: string): CachedKey | undefined {
    const tag = this.#tagOf.get(digest);
    return tag === undefined ? undefined : this.get(tag);
  }

  /** Caches `entry` under `tag`, reachable from each of `digests`, for its TTL from `now`. */
  remember(tag: string, digests: readonly string[], entry: CachedKey, now: number): void {
    const ok = entry.result.ok;
    const ttlMs = ok ? this.#options.ttlMs : this.#options.negativeTtlMs;
    entry.cachedUntil = now + ttlMs;
    // A key in use (accepted or refused) is reloaded before its TTL runs out, so its requests
    // never wait on the store (docs/design.md, "Caching and invalidation"); the answer is never
    // older than the TTL.
    entry.refreshAt = now + ttlMs - Math.floor(ttlMs / 4);
    entry.tag = tag;
    entry.digests = digests;
    const previous = this.get(tag);
    if (previous !== undefined) this.#unindex(previous);
    (ok ? this.#refused : this.#valid).delete(tag);
    (ok ? this.#valid : this.#refused).set(tag, entry);
    for (const digest of digests) this.#tagOf.set(digest, tag);
  }

  /** Drops the entry that `digest` leads to. */
  delete(digest: string): void {
    const tag = this.#tagOf.get(digest);
    if (tag === undefined) return;
    const entry = this.get(tag);
    if (entry !== undefined) this.#unindex(entry);
    this.#tagOf.delete(digest);
    this.#valid.delete(tag);
    this.#refused.delete(tag);
  }

  clear(): void {
    this.#valid.clear();
    this.#refused.clear();
    this.#tagOf.clear();
  }

  /** Entries held (valid and refused), for tests. */
  get size(): number {
    return this.#valid.size + this.#refused.size;
  }

  /** Index entries held, for tests (they never outnumber the digests of cached entries). */
  get indexSize(): number {
    return this.#tagOf.size;
  }

  #unindex(entry: CachedKey): void {
    for (const digest of entry.digests) {
      if (this.#tagOf.get(digest) === entry.tag) this.#tagOf.delete(digest);
    }
  }
}
