// The verifier (DESIGN.md section 5): header → format → checksum → environment → cache → store →
// revoked → disabled → expired → organisation → scopes → quotas. The cheap checks never touch the
// store, and a cache hit answers synchronously without allocating (a key with quotas: see
// quotas/quota-stage.ts).
import type { AuthContext, Organisation } from './auth-context.js';
import { BoundedCache } from './bounded-cache.js';
import { issuers } from './context-issuers.js';
import { withDeadline } from './deadline.js';
import type { ApiKeyError } from './errors.js';
import type { InvalidationEvent, SubscriptionMonitor, Unsubscribe } from './key-store.js';
import { LastUsedRecorder } from './last-used-recorder.js';
import { checkApiKey } from './parse.js';
import { type Problem, toProblem } from './problem.js';
import { MemoryRateLimiter } from './quotas/memory-rate-limiter.js';
import { type QuotaReport, quotaHeaders } from './quotas/quota-report.js';
import { type QuotaPlan, QuotaStage } from './quotas/quota-stage.js';
import { checkRateLimitPolicy } from './quotas/rate-limit-policy.js';
import type { RateLimiter, RateLimitRequest } from './quotas/rate-limiter.js';
import { RefusalBudget } from './quotas/refusal-budget.js';
import type { ApiKeyRecord } from './record.js';
import { isApiKeyRecord } from './record-shape.js';
import { createRefusals, type Refusals, type VerifyFailure } from './refusals.js';
import { missingScopeError } from './scopes.js';
import {
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
  type VerifierOptions,
} from './verifier-options.js';

export type { VerifyFailure } from './refusals.js';

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

/** How long to wait before trying again to subscribe to the store's invalidation events. */
const SUBSCRIBE_RETRY_MS = 5_000;

/** What `close()` may take beyond the store timeout before it gives up on the store. */
const CLOSE_GRACE_MS = 500;

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

/** The answer of {@link Verifier.verify}. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** Per-request options of {@link Verifier.verify}. */
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
  /**
   * Unsubscribes, flushes last-used times and empties the cache. Does not close the store.
   * Settles within `storeTimeoutMs` (plus a little) whatever the store does; last-used times it
   * could not write by then are reported to `onError` and dropped.
   */
  close(): Promise<void>;
}

// A cached answer. Valid keys keep their prebuilt success and the state that changes per use;
// refusals keep their prebuilt failure.
interface CachedKey {
  readonly result: VerifyResult;
  readonly id: string | undefined;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  cachedUntil: number;
  lastUsedMarkedAt: number;
  /** The key's quota policies (never their counts, which live in the rate limiter and store). */
  readonly quota: QuotaPlan | undefined;
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
  readonly #valid: BoundedCache<string, CachedKey> | undefined;
  readonly #refused: BoundedCache<string, CachedKey> | undefined;
  // Digest a record is stored under → digest it is cached under, for records found through an
  // older pepper whose re-hash has not landed yet (so their events still find the cache entry).
  readonly #aliases = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<CachedKey>>();
  readonly #problems = new WeakMap<ApiKeyError, Problem>();
  readonly #lastUsed: LastUsedRecorder | undefined;
  readonly #digest: (key: string) => string;
  readonly #limiter: RateLimiter;
  readonly #quotas: QuotaStage;
  readonly #budget: RefusalBudget | undefined;
  #unsubscribe: Unsubscribe | undefined;
  #subscribeRetry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
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
    if (options.cache) {
      this.#valid = new BoundedCache(options.cache.maxEntries);
      this.#refused = new BoundedCache(options.cache.maxEntries);
    }
    if (options.lastUsed) {
      this.#lastUsed = new LastUsedRecorder(
        options.store,
        options.lastUsed.flushIntervalMs,
        options.storeTimeoutMs,
        (error) => options.onError(error, 'last-used'),
      );
    }
    this.#limiter = options.rateLimiter ?? new MemoryRateLimiter();
    this.#quotas = new QuotaStage({
      limiter: this.#limiter,
      consumeCredits: (id, cost, now) =>
        this.#withTimeout(
          () => options.store.consumeCredits(id, cost, now),
          Date.now() + options.storeTimeoutMs,
        ),
      withDeadline: (pending) =>
        withDeadline(
          () => pending,
          options.storeTimeoutMs,
          `the rate limiter did not answer within ${options.storeTimeoutMs} ms`,
        ),
      storeUnavailable: this.#refusals.storeUnavailable,
      onError: (error, operation) => options.onError(error, operation),
    });
    this.#budget =
      options.refusalBudget === undefined ? undefined : new RefusalBudget(options.refusalBudget);
    this.ready = this.#subscribe();
  }

  verify(
    headerValue: unknown,
    options?: VerifyOptions,
    request?: unknown,
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
    const checked = checkApiKey(value, this.options.format);
    if ('reason' in checked) return this.#refusals.malformed[checked.reason];
    if (!this.options.accepted.has(checked.environment)) {
      return this.#refusals.wrongEnvironment.get(checked.environment)!;
    }
    if (this.#closed) return this.#refusals.storeUnavailable;
    const key = value as string;
    const digest = this.#digest(key);
    const now = Date.now();
    const cached = this.#valid?.get(digest) ?? this.#refused?.get(digest);
    if (cached !== undefined && cached.cachedUntil > now) return this.#answer(cached, now, options);
    let address: string | undefined;
    const clientAddress = options?.clientAddress;
    if (clientAddress !== undefined && this.#budget !== undefined) {
      address = clientAddress(request);
      if (address !== undefined && address !== '') {
        const refusal = this.#budget.refusalFor(address, now);
        if (refusal !== undefined) return refusal;
      }
    }
    return this.#lookup(key, digest, cached, options, address);
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
    const digest = this.#aliases.get(event.hash) ?? event.hash;
    this.#aliases.delete(event.hash);
    // Requests from now on must not join a lookup that may have read the record before the change.
    this.#inFlight.delete(digest);
    this.#valid?.delete(digest);
    this.#refused?.delete(digest);
  }

  clearCache(): void {
    this.#invalidations++;
    this.#inFlight.clear();
    this.#valid?.clear();
    this.#refused?.clear();
    this.#aliases.clear();
  }

  flushLastUsed(): Promise<void> {
    return this.#lastUsed?.flush() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#subscribeRetry);
    const timeoutMs = this.options.storeTimeoutMs;
    // Unsubscribing and the last flush run side by side under one deadline: a stalled store
    // must not hold a shutdown (each store call has its own deadline too, so nothing is left
    // waiting forever behind this one).
    const unsubscribing = (async () => {
      await this.ready;
      await this.#unsubscribe?.();
    })().catch((error: unknown) => this.options.onError(error, 'subscribe'));
    const flushing = this.#lastUsed?.close();
    try {
      await withDeadline(
        () => Promise.all([unsubscribing, flushing]),
        timeoutMs + CLOSE_GRACE_MS,
        `close: the key store did not finish within ${timeoutMs} ms; unwritten last-used times are dropped`,
      );
    } catch (error) {
      this.options.onError(error, 'last-used');
    }
    try {
      await this.#limiter.close?.();
    } catch (error) {
      this.options.onError(error, 'rate-limit');
    }
    this.clearCache();
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
    if (
      this.#lastUsed !== undefined &&
      now - cached.lastUsedMarkedAt >= this.options.lastUsed!.intervalMs
    ) {
      cached.lastUsedMarkedAt = now;
      this.#lastUsed.add(cached.id!, now);
    }
    const quota = cached.quota;
    if (quota === undefined) return cached.result;
    return this.#quotas.apply(quota, cached.result.context, now, options?.cost ?? 1);
  }

  async #lookup(
    key: string,
    digest: string,
    stale: CachedKey | undefined,
    options: VerifyOptions | undefined,
    address: string | undefined,
  ): Promise<VerifyResult> {
    // Concurrent requests with one key share one store read.
    let pending = this.#inFlight.get(digest);
    if (pending === undefined) {
      const loading = this.#load(key, digest, stale).finally(() => {
        if (this.#inFlight.get(digest) === loading) this.#inFlight.delete(digest);
      });
      pending = loading;
      this.#inFlight.set(digest, loading);
    }
    const loaded = await pending;
    const now = Date.now();
    if (address !== undefined && address !== '' && loaded.result === this.#refusals.invalid) {
      this.#budget!.count(address, now);
    }
    return this.#answer(loaded, now, options);
  }

  async #load(key: string, digest: string, stale: CachedKey | undefined): Promise<CachedKey> {
    const invalidationsAtStart = this.#invalidations;
    // The store lookup and the organisation's resolution share one deadline, so a request is
    // answered within storeTimeoutMs whichever of them stalls.
    const deadline = Date.now() + this.options.storeTimeoutMs;
    const found = await this.#find(key, digest, deadline);
    // A store failure is answered but never remembered: the next request tries the store again.
    if (found === 'unavailable') return refusedEntry(this.#refusals.storeUnavailable);
    if (found === null)
      return this.#remember(invalidationsAtStart, digest, refusedEntry(this.#refusals.invalid));
    const { record, versionIndex } = found;
    if (versionIndex > 0) this.#rehash(record, digest);
    const now = Date.now();
    if (record.revokedAt !== null && record.revokedAt.getTime() <= now) {
      return this.#remember(
        invalidationsAtStart,
        digest,
        refusedEntry(this.#refusals.revoked, record.id),
        record.hash,
      );
    }
    // Checked at lookup only: enabling or disabling a key invalidates its cache entry.
    if (record.disabledAt !== null && record.disabledAt.getTime() <= now) {
      return this.#remember(
        invalidationsAtStart,
        digest,
        refusedEntry(this.#refusals.disabled, record.id),
        record.hash,
      );
    }
    const organisation =
      record.organisationId === null
        ? undefined
        : await this.#organisationOf(record.organisationId, deadline);
    // Like a store failure: answered, never remembered, the next request asks again.
    if (organisation === 'unavailable') return refusedEntry(this.#refusals.storeUnavailable);
    if (organisation === undefined) {
      return this.#remember(
        invalidationsAtStart,
        digest,
        refusedEntry(this.#refusals.missingOrganisation, record.id),
        record.hash,
      );
    }
    const context: AuthContext = Object.freeze({
      keyId: record.id,
      organisationId: record.organisationId!,
      name: record.name,
      prefix: record.prefix,
      environment: record.environment,
      scopes: Object.freeze([...record.scopes]),
      metadata: Object.freeze({ ...record.metadata }),
      expiresAt: record.expiresAt,
      organisation,
    });
    let quota: QuotaPlan | undefined;
    try {
      quota = this.#quotaPlan(record, organisation);
    } catch (error) {
      // organisationRateLimit threw or answered no policy: a host bug, answered like a failing
      // resolveOrganisation (503, not remembered) and reported.
      this.options.onError(error, 'rate-limit');
      return refusedEntry(this.#refusals.storeUnavailable);
    }
    issuers.set(context, this);
    const entry: CachedKey = {
      result: Object.freeze({ ok: true, context }),
      id: record.id,
      expiresAt: record.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
      scopes: context.scopes,
      cachedUntil: 0,
      // A refreshed entry keeps its last-used mark, so a TTL expiry does not write it again.
      lastUsedMarkedAt: stale?.id === record.id ? stale.lastUsedMarkedAt : Number.NEGATIVE_INFINITY,
      quota,
    };
    return this.#remember(invalidationsAtStart, digest, entry, record.hash);
  }

  // The limits and credits a valid key is subject to, from the options, the record and its
  // organisation. Worked out on a cache miss only: a hit reads the plan.
  #quotaPlan(record: ApiKeyRecord, organisation: Organisation): QuotaPlan | undefined {
    const limits: RateLimitRequest[] = [];
    const fallback = this.options.rateLimit;
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
    const ofOrganisation = this.options.organisationRateLimit?.(organisation);
    if (ofOrganisation !== undefined && ofOrganisation !== null) {
      const policy = checkRateLimitPolicy(ofOrganisation, 'organisationRateLimit()');
      limits.push({
        subject: `organisation:${record.organisationId}:${policy.windowMs}`,
        name: 'organisation',
        policy,
      });
    }
    if (limits.length === 0 && record.credits === null) return undefined;
    return { keyId: record.id, limits, metered: record.credits !== null };
  }

  // Tries the current digest, then older peppers'. 'unavailable' when the store failed.
  async #find(
    key: string,
    digest: string,
    deadline: number,
  ): Promise<{ record: ApiKeyRecord; versionIndex: number } | null | 'unavailable'> {
    const versions = this.options.digester.versions;
    for (let index = 0; index < versions.length; index++) {
      const hash = index === 0 ? digest : versions[index]!.digest(key);
      let record: unknown;
      try {
        record = await this.#withTimeout(() => this.options.store.findByHash(hash), deadline);
      } catch (error) {
        this.options.onError(error, 'lookup');
        return 'unavailable';
      }
      if (record === null || record === undefined) continue;
      if (!isApiKeyRecord(record) || record.hash !== hash) {
        this.options.onError(
          new TypeError('the store returned a record that is not an ApiKeyRecord'),
          'lookup',
        );
        return 'unavailable';
      }
      return { record, versionIndex: index };
    }
    return null;
  }

  // `undefined` for no active organisation; 'unavailable' when the resolver threw or stalled.
  async #organisationOf(
    organisationId: string,
    deadline: number,
  ): Promise<Organisation | undefined | 'unavailable'> {
    const resolve = this.options.resolveOrganisation;
    if (resolve === undefined) return { id: organisationId } as Organisation;
    let organisation: Awaited<ReturnType<typeof resolve>>;
    try {
      organisation = await withDeadline(
        () => resolve(organisationId),
        Math.max(0, deadline - Date.now()),
        `resolveOrganisation did not answer within ${this.options.storeTimeoutMs} ms`,
      );
    } catch (error) {
      this.options.onError(error, 'organisation');
      return 'unavailable';
    }
    return organisation === null || organisation === undefined || organisation === false
      ? undefined
      : organisation;
  }

  #remember(
    invalidationsAtStart: number,
    digest: string,
    entry: CachedKey,
    storedHash?: string,
  ): CachedKey {
    const cache = entry.result.ok ? this.#valid : this.#refused;
    const cacheOptions = this.options.cache;
    if (cache === undefined || cacheOptions === undefined || this.#closed) return entry;
    if (invalidationsAtStart !== this.#invalidations) return entry;
    entry.cachedUntil =
      Date.now() + (entry.result.ok ? cacheOptions.ttlMs : cacheOptions.negativeTtlMs);
    cache.set(digest, entry);
    (entry.result.ok ? this.#refused : this.#valid)?.delete(digest);
    if (storedHash !== undefined && storedHash !== digest) this.#aliases.set(storedHash, digest);
    return entry;
  }

  // A key verified under an older pepper is moved to the current one, off the request path.
  #rehash(record: ApiKeyRecord, digest: string): void {
    const version = this.options.digester.current.version;
    this.#withTimeout(
      () => this.options.store.update(record.id, { hash: digest, hashVersion: version }),
      Date.now() + this.options.storeTimeoutMs,
    ).catch((error: unknown) => this.options.onError(error, 'rehash'));
  }

  // `call` may throw synchronously or return a non-promise: both are store failures too.
  #withTimeout<T>(call: () => Promise<T>, deadline: number): Promise<T> {
    return withDeadline(
      call,
      Math.max(0, deadline - Date.now()),
      `the key store did not answer within ${this.options.storeTimeoutMs} ms`,
    );
  }

  // `ready` settles after the first attempt. A failed subscription (the store was down at start)
  // is retried until it holds, and the cache is then emptied: events may have been missed. Once
  // it holds, the store keeps it up and says when it lost and regained it.
  async #subscribe(isRetry = false): Promise<void> {
    const subscribe = this.options.store.subscribe;
    if (typeof subscribe !== 'function' || this.#closed) return;
    const monitor: SubscriptionMonitor = {
      onLost: (error) => this.options.onError(error, 'subscribe'),
      onResync: () => this.clearCache(),
    };
    try {
      // A subscription confirmed after its deadline is ended at once: nobody holds it.
      const unsubscribe = await withDeadline(
        () => subscribe.call(this.options.store, (event) => this.invalidate(event), monitor),
        this.options.storeTimeoutMs,
        `the key store did not confirm the subscription within ${this.options.storeTimeoutMs} ms`,
        (late) =>
          void Promise.resolve()
            .then(late)
            .catch(() => {}),
      );
      if (this.#closed) {
        await unsubscribe();
        return;
      }
      this.#unsubscribe = unsubscribe;
      if (isRetry) this.clearCache();
    } catch (error) {
      this.options.onError(error, 'subscribe');
      this.#subscribeRetry = setTimeout(() => void this.#subscribe(true), SUBSCRIBE_RETRY_MS);
      (this.#subscribeRetry as { unref?: () => void }).unref?.();
    }
  }
}

function refusedEntry(result: VerifyFailure, id?: string): CachedKey {
  return {
    result,
    id,
    expiresAt: Number.POSITIVE_INFINITY,
    scopes: [],
    cachedUntil: 0,
    lastUsedMarkedAt: 0,
    quota: undefined,
  };
}
