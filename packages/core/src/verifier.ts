// The verifier's pipeline (docs/design.md, "Verification"): header → cache (by the key's keyed
// tag) → format → checksum → environment → store → revoked → disabled → expired → organisation →
// scopes → quotas. A cache hit answers synchronously, without allocating and without parsing or
// digesting the key (only a key that passed every cheap check is ever cached; a key with quotas:
// see quotas/quota-stage.ts); on a miss the cheap checks run before the store. The cache, the
// store calls, shared loads and the invalidation subscription live in modules of their own.
import type { AuthContext } from './auth-context.js';
import { type CacheTagger, createCacheTagger } from './cache-tag.js';
import { issuers } from './context-issuers.js';
import type { ApiKeyError } from './errors.js';
import { MAX_API_KEY_LENGTH } from './key-format.js';
import type { InvalidationEvent } from './key-store.js';
import { LastUsedRecorder } from './last-used-recorder.js';
import { checkApiKey } from './parse.js';
import { type Problem, toProblem } from './problem.js';
import { MemoryRateLimiter } from './quotas/memory-rate-limiter.js';
import { quotaPlanFor } from './quotas/quota-plan.js';
import { quotaHeaders } from './quotas/quota-report.js';
import type { QuotaPlan, QuotaStage } from './quotas/quota-stage.js';
import type { RateLimiter } from './quotas/rate-limiter.js';
import { RefusalBudget } from './quotas/refusal-budget.js';
import { verifierQuotaStage } from './quotas/verifier-quota-stage.js';
import { contextOf } from './record-context.js';
import { findRecord, rehashRecord, resolveOrganisationOf } from './record-lookup.js';
import { createRefusals, type Refusals } from './refusals.js';
import { missingScopeError } from './scopes.js';
import { SharedLoads } from './shared-loads.js';
import { StoreSubscription } from './store-subscription.js';
import { UsageRecorder } from './usage/usage-recorder.js';
import { acceptedEntry, type CachedKey, refusedEntry, VerifierCache } from './verifier-cache.js';
import { closeVerifierResources } from './verifier-close.js';
import {
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
  type VerifierOptions,
} from './verifier-options.js';
import type { VerifyOptions, VerifyResult } from './verifier-result.js';
import { publishVerification, type VerifyTrace, verifyChannel } from './verify-events.js';

export type { VerifyFailure } from './refusals.js';
export type { VerifyOptions, VerifyResult, VerifySuccess } from './verifier-result.js';

// Which verifier built each context, so that a route guard (`requireScopes`) answers with that
// verifier's problem mapping without the adapter storing anything on every request. The map is
// shared by every copy of core in the process (context-issuers.ts).

/**
 * The verifier that produced `context`, or `undefined` for a context it did not build.
 *
 * @example
 * ```ts
 * const error = missingScopeError(context, ['sites:write']);
 * if (error) send(verifierOf(context)!.problem(error));
 * ```
 */
export function verifierOf(context: AuthContext): Verifier | undefined {
  return issuers.get(context);
}

/**
 * Verifies keys against a store. Build one per application with {@link createVerifier} and share
 * it between requests.
 */
export interface Verifier {
  /** The header that carries the key (lowercase). */
  readonly headerName: string;
  /** The resolved options (format, digester, store, …). */
  readonly options: ResolvedVerifierOptions;
  /** Resolves once the store's invalidation subscription (if any) is in place. */
  readonly ready: Promise<void>;
  /**
   * Verifies the value(s) of the key header. Synchronous when the cache or the cheap checks can
   * answer, a Promise otherwise: `await` it either way. Never rejects: a store or
   * `resolveOrganisation` that fails or outlives `storeTimeoutMs` is `key_store_unavailable`.
   * `request` is handed to `options.clientAddress` (the refusal budget) and to nothing else.
   */
  verify(
    headerValue: unknown,
    options?: VerifyOptions,
    request?: unknown,
  ): VerifyResult | Promise<VerifyResult>;
  /**
   * The rate-limit and credit header fields for an answer (lowercase names), or `undefined` when
   * it has none: adapters write them on the response, accepted or refused.
   */
  quotaHeaders(result: VerifyResult): Readonly<Record<string, string>> | undefined;
  /** The HTTP answer for a refusal, built once per error. */
  problem(error: ApiKeyError): Problem;
  /** Drops what the cache knows of a record (by id and by digest). */
  invalidate(event: InvalidationEvent): void;
  /** Drops the whole cache (e.g. after an organisation was deactivated). */
  clearCache(): void;
  /** Writes collected last-used times now. */
  flushLastUsed(): Promise<void>;
  /** Adds collected usage counts to the store now (docs/observability.md, "Usage"). */
  flushUsage(): Promise<void>;
  /**
   * Unsubscribes, flushes last-used times and empties the cache. Does not close the store.
   * Settles within `storeTimeoutMs` (plus a little) whatever the store does; last-used times it
   * could not write by then are reported to `onError` and dropped.
   */
  close(): Promise<void>;
}

/**
 * Creates a verifier.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   store: new MemoryKeyStore(),
 *   environments: ['live'],
 *   resolveOrganisation: (id) => organisations.findActive(id),
 * });
 * const result = await verifier.verify(request.headers['x-api-key']);
 * if (result.ok) console.log(result.context.organisationId);
 * else console.log(result.error.code); // 'invalid_api_key', …
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  return new ApiKeyVerifier(resolveVerifierOptions(options));
}

class ApiKeyVerifier implements Verifier {
  readonly headerName: string;
  readonly options: ResolvedVerifierOptions;
  readonly ready: Promise<void>;
  readonly #refusals: Refusals;
  readonly #cache: VerifierCache | undefined;
  // The cache's key for a key: a keyed BLAKE3 tag under a secret of this process only.
  readonly #tag: CacheTagger;
  // The key type and its separator (`sk_`): every key of the format opens with it.
  readonly #typePrefix: string;
  // Store reads in flight, by the key's current digest.
  readonly #loads = new SharedLoads<CachedKey>();
  readonly #problems = new WeakMap<ApiKeyError, Problem>();
  readonly #lastUsed: LastUsedRecorder | undefined;
  readonly #usage: UsageRecorder | undefined;
  readonly #digest: (key: string) => string;
  readonly #limiter: RateLimiter;
  readonly #quotas: QuotaStage;
  readonly #budget: RefusalBudget | undefined;
  readonly #subscription: StoreSubscription;
  #closed = false;
  // The entry the last cache hit answered from, and the trace of the verification being observed:
  // both read synchronously by #observed around one call, so concurrent requests never mix them.
  #lastHit: CachedKey | undefined;
  #trace: VerifyTrace | undefined;
  // Bumped by every invalidation: a lookup that was in flight when one arrived may have read the
  // record before the change, so its answer is used once but not cached.
  #invalidations = 0;

  constructor(options: ResolvedVerifierOptions) {
    this.options = options;
    this.headerName = options.headerName;
    this.#digest = options.digester.current.digest;
    this.#refusals = createRefusals(options.headerName, options.format.environments, [
      ...options.accepted,
    ]);
    this.#tag = createCacheTagger();
    this.#typePrefix = `${options.format.type}_`;
    if (options.cache) this.#cache = new VerifierCache(options.cache);
    if (options.lastUsed) {
      this.#lastUsed = new LastUsedRecorder(
        options.store,
        options.lastUsed.intervalMs,
        options.lastUsed.flushIntervalMs,
        options.storeTimeoutMs,
        (error) => options.onError(error, 'last-used'),
      );
    }
    if (options.usage) {
      this.#usage = new UsageRecorder(
        options.store,
        options.usage.flushIntervalMs,
        options.storeTimeoutMs,
        (error) => options.onError(error, 'usage'),
      );
    }
    this.#limiter = options.rateLimiter ?? new MemoryRateLimiter();
    this.#quotas = verifierQuotaStage(options, this.#limiter, this.#refusals.storeUnavailable);
    this.#budget =
      options.refusalBudget === undefined ? undefined : new RefusalBudget(options.refusalBudget);
    this.#subscription = new StoreSubscription(options.store, options.storeTimeoutMs, {
      onEvent: (event) => this.invalidate(event),
      onMissedEvents: () => this.clearCache(),
      onError: (error) => options.onError(error, 'subscribe'),
    });
    this.ready = this.#subscription.ready;
  }

  verify(
    headerValue: unknown,
    options?: VerifyOptions,
    request?: unknown,
  ): VerifyResult | Promise<VerifyResult> {
    // Someone listens on `keygate:verify`: the observed path (verify-events.ts); else nothing more.
    if (verifyChannel.hasSubscribers) return this.#observed(headerValue, options, request);
    return this.#verify(headerValue, options, request);
  }

  #verify(
    headerValue: unknown,
    options: VerifyOptions | undefined,
    request: unknown,
  ): VerifyResult | Promise<VerifyResult> {
    let value = headerValue;
    if (typeof value !== 'string' && Array.isArray(value)) {
      if (value.length > 1) return this.#refusals.multipleHeaders;
      value = value[0];
    }
    if (value === undefined || value === null || value === '') {
      return options?.hasAuthorizationHeader === true
        ? this.#refusals.missingWithAuthorization
        : this.#refusals.missing;
    }
    const cache = this.#cache;
    // Only a key that passed every cheap check is ever cached, so a hit needs none of them. A
    // closed verifier answers from the store path (which refuses), never from the cache.
    // A value that does not even open with the key type (`sk_`) skips the tag: it is refused as
    // malformed at once, as cheaply as before the cache was keyed by tags.
    if (
      cache !== undefined &&
      typeof value === 'string' &&
      value.length <= MAX_API_KEY_LENGTH &&
      value.startsWith(this.#typePrefix) &&
      !this.#closed
    ) {
      const tag = this.#tag(value);
      const cached = cache.get(tag);
      const now = Date.now();
      if (cached !== undefined && cached.cachedUntil > now) {
        if (cached.refreshAt <= now) this.#refreshAhead(value, tag, cached);
        this.#lastHit = cached;
        const answer = this.#answer(cached, now, options);
        if (this.#usage !== undefined && cached.id !== undefined)
          this.#usage.count(cached.id, answer, now);
        return answer;
      }
      return this.#miss(value, tag, cached, now, options, request);
    }
    return this.#miss(value, '', undefined, Date.now(), options, request);
  }

  // Not cached (or cached too long ago): the cheap checks, the refusal budget, then the store.
  #miss(
    value: unknown,
    tag: string,
    cached: CachedKey | undefined,
    now: number,
    options: VerifyOptions | undefined,
    request: unknown,
  ): VerifyResult | Promise<VerifyResult> {
    const checked = checkApiKey(value, this.options.format);
    if ('reason' in checked) return this.#refusals.malformed[checked.reason];
    if (!this.options.accepted.has(checked.environment)) {
      return this.#refusals.wrongEnvironment.get(checked.environment)!;
    }
    if (this.#closed) return this.#refusals.storeUnavailable;
    const key = value as string;
    let address: string | undefined;
    const clientAddress = options?.clientAddress;
    if (clientAddress !== undefined && this.#budget !== undefined) {
      address = clientAddress(request);
      if (address !== undefined && address !== '') {
        const refusal = this.#budget.refusalFor(address, now);
        if (refusal !== undefined) return refusal;
      }
    }
    return this.#lookup(key, tag, this.#digest(key), cached, options, address);
  }

  // A hit late in its entry's TTL: the answer comes from the entry, and the record is read again in
  // the background (shared with any lookup of the same key), so that a key in steady use never
  // waits on the store. A failed read changes nothing: the entry stays until its TTL ends.
  #refreshAhead(key: string, tag: string, stale: CachedKey): void {
    stale.refreshAt = Number.POSITIVE_INFINITY;
    const digest = this.#digest(key);
    this.#loads
      .run(digest, () => this.#load(key, tag, digest, stale))
      .catch((error: unknown) => this.options.onError(error, 'lookup'));
  }

  quotaHeaders(result: VerifyResult): Readonly<Record<string, string>> | undefined {
    const report = result.ok ? result.quota : result.error.quota;
    return report === undefined ? undefined : quotaHeaders(report, this.options.rateLimitHeaders);
  }

  problem(error: ApiKeyError): Problem {
    let problem = this.#problems.get(error);
    if (problem === undefined) {
      problem = toProblem(error, {
        realm: this.options.realm,
        headerName: this.headerName,
        rateLimitHeaders: this.options.rateLimitHeaders,
        ...(this.options.problemTypeBase === undefined
          ? {}
          : { typeBase: this.options.problemTypeBase }),
      });
      this.#problems.set(error, problem);
    }
    return problem;
  }

  invalidate(event: InvalidationEvent): void {
    this.#invalidations++;
    // The event names the stored digest; the entry's first digest is its key's current one.
    const digest = this.#cache?.byDigest(event.hash)?.digests[0] ?? event.hash;
    // Requests from now on must not join a lookup that may have read the record before the change.
    this.#loads.forget(digest);
    this.#cache?.delete(event.hash);
  }

  clearCache(): void {
    this.#invalidations++;
    this.#loads.clear();
    this.#cache?.clear();
  }

  flushLastUsed(): Promise<void> {
    return this.#lastUsed?.flush() ?? Promise.resolve();
  }

  flushUsage(): Promise<void> {
    return this.#usage?.flush() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeVerifierResources({
      subscription: this.#subscription,
      lastUsed: this.#lastUsed,
      usage: this.#usage,
      limiter: this.#limiter,
      storeTimeoutMs: this.options.storeTimeoutMs,
      onError: this.options.onError,
    });
    this.clearCache();
  }

  // A verification while someone listens on `keygate:verify`: the same answer, plus its message.
  #observed(
    headerValue: unknown,
    options: VerifyOptions | undefined,
    request: unknown,
  ): VerifyResult | Promise<VerifyResult> {
    const trace: VerifyTrace = {
      startedAt: performance.now(),
      cache: 'miss',
      keyId: null,
      storeMs: null,
    };
    this.#lastHit = undefined;
    this.#trace = trace;
    let answer: VerifyResult | Promise<VerifyResult>;
    try {
      answer = this.#verify(headerValue, options, request);
    } finally {
      this.#trace = undefined;
    }
    // Set by #verify on a cache hit (TypeScript cannot see that it changed since the reset).
    const hit = this.#lastHit as CachedKey | undefined;
    this.#lastHit = undefined;
    if (hit !== undefined) {
      trace.cache = hit.result.ok ? 'hit' : 'negative-hit';
      trace.keyId = hit.id ?? null;
    }
    if (!(answer instanceof Promise)) {
      publishVerification(trace, answer);
      return answer;
    }
    return answer.then((settled) => {
      publishVerification(trace, settled);
      return settled;
    });
  }

  #answer(
    cached: CachedKey,
    now: number,
    options: VerifyOptions | undefined,
  ): VerifyResult | Promise<VerifyResult> {
    if (!cached.result.ok) return cached.result;
    if (cached.expiresAt <= now) return this.#refusals.expired;
    const required = options?.requiredScopes;
    if (required !== undefined) {
      const error = missingScopeError(cached, required);
      if (error !== undefined) return { ok: false, error };
    }
    this.#lastUsed?.markUse(cached, now);
    const quota = cached.quota;
    if (quota === undefined) return cached.result;
    return this.#quotas.apply(quota, cached.result.context, now, options?.cost ?? 1);
  }

  async #lookup(
    key: string,
    tag: string,
    digest: string,
    stale: CachedKey | undefined,
    options: VerifyOptions | undefined,
    address: string | undefined,
  ): Promise<VerifyResult> {
    const trace = this.#trace;
    const readStartedAt = trace === undefined ? 0 : performance.now();
    // Concurrent requests with one key share one store read.
    const loaded = await this.#loads.run(digest, () => this.#load(key, tag, digest, stale));
    if (trace !== undefined) {
      trace.storeMs = performance.now() - readStartedAt;
      trace.keyId = loaded.id ?? null;
    }
    const now = Date.now();
    if (address !== undefined && address !== '' && loaded.result === this.#refusals.invalid) {
      this.#budget!.count(address, now);
    }
    const answer = this.#answer(loaded, now, options);
    if (this.#usage !== undefined && loaded.id !== undefined)
      this.#usage.count(loaded.id, answer, now);
    return answer;
  }

  async #load(
    key: string,
    tag: string,
    digest: string,
    stale: CachedKey | undefined,
  ): Promise<CachedKey> {
    const invalidationsAtStart = this.#invalidations;
    // The store lookup and the organisation's resolution share one deadline, so a request is
    // answered within storeTimeoutMs whichever of them stalls.
    const deadline = Date.now() + this.options.storeTimeoutMs;
    const found = await findRecord(this.options, key, digest, deadline);
    // A store failure is answered but never remembered: the next request tries the store again.
    if (found === 'unavailable') return refusedEntry(this.#refusals.storeUnavailable);
    if (found === null)
      return this.#remember(
        invalidationsAtStart,
        tag,
        digest,
        refusedEntry(this.#refusals.invalid),
      );
    const { record, versionIndex } = found;
    if (versionIndex > 0) rehashRecord(this.options, record, digest);
    const now = Date.now();
    if (record.revokedAt !== null && record.revokedAt.getTime() <= now) {
      return this.#remember(
        invalidationsAtStart,
        tag,
        digest,
        refusedEntry(this.#refusals.revoked, record.id),
        record.hash,
      );
    }
    // Checked at lookup only: enabling or disabling a key invalidates its cache entry.
    if (record.disabledAt !== null && record.disabledAt.getTime() <= now) {
      return this.#remember(
        invalidationsAtStart,
        tag,
        digest,
        refusedEntry(this.#refusals.disabled, record.id),
        record.hash,
      );
    }
    const organisation =
      record.organisationId === null
        ? undefined
        : await resolveOrganisationOf(this.options, record.organisationId, deadline);
    // Like a store failure: answered, never remembered, the next request asks again.
    if (organisation === 'unavailable') return refusedEntry(this.#refusals.storeUnavailable);
    if (organisation === undefined) {
      return this.#remember(
        invalidationsAtStart,
        tag,
        digest,
        refusedEntry(this.#refusals.missingOrganisation, record.id),
        record.hash,
      );
    }
    const context = contextOf(record, organisation);
    let quota: QuotaPlan | undefined;
    try {
      quota = quotaPlanFor(record, organisation, this.options);
    } catch (error) {
      // organisationRateLimit threw or answered no policy: a host bug, answered like a failing
      // resolveOrganisation (503, not remembered) and reported.
      this.options.onError(error, 'rate-limit');
      return refusedEntry(this.#refusals.storeUnavailable);
    }
    issuers.set(context, this);
    const entry = acceptedEntry(context, quota, stale);
    return this.#remember(invalidationsAtStart, tag, digest, entry, record.hash);
  }

  // Caches an answer unless the cache is off, the verifier closed, or an invalidation arrived
  // while it was being looked up (the record read may predate it: answered once, not cached).
  #remember(
    invalidationsAtStart: number,
    tag: string,
    digest: string,
    entry: CachedKey,
    storedHash?: string,
  ): CachedKey {
    const cache = this.#cache;
    if (cache === undefined || tag === '' || this.#closed) return entry;
    if (invalidationsAtStart !== this.#invalidations) return entry;
    const digests =
      storedHash === undefined || storedHash === digest ? [digest] : [digest, storedHash];
    cache.remember(tag, digests, entry, Date.now());
    return entry;
  }
}
