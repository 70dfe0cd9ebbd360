// Options of the verifier, checked and resolved once into a frozen object (misuse throws here,
// at start-up, never as a refusal at request time).
import type { Organisation } from './auth-context.js';
import { checkStore } from './check-store.js';
import { createKeyDigester, type KeyDigester, type Pepper } from './digest.js';
import { createKeyFormat, type KeyFormat, type KeyFormatOptions } from './key-format.js';
import type { KeyStore } from './key-store.js';
import { checkLogger, DefaultLogger, errorFields, type KeygateLogger } from './logger.js';
import type { RateLimitHeaderStyle } from './quotas/quota-report.js';
import { checkRateLimitPolicy, type RateLimitPolicy } from './quotas/rate-limit-policy.js';
import type { RateLimiter } from './quotas/rate-limiter.js';
import { DEFAULT_REFUSAL_BUDGET } from './quotas/refusal-budget.js';
import { publishingStoreFailures } from './verify-events.js';

/** Looks up an organisation; `null`, `undefined` or `false` means "no active organisation". */
export type ResolveOrganisation = (
  organisationId: string,
) => Organisation | null | undefined | false | Promise<Organisation | null | undefined | false>;

/** Where a background operation failed, for {@link VerifierOptions.onError}. */
export type VerifierOperation =
  | 'lookup'
  | 'organisation'
  | 'last-used'
  | 'rehash'
  | 'subscribe'
  | 'rate-limit'
  | 'credits'
  | 'usage';

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  readonly store: KeyStore;
  /** The key format (default `sk` with `live` and `test`). */
  readonly format?: KeyFormat | KeyFormatOptions;
  /** Environments this server accepts (default: all of the format's). */
  readonly environments?: readonly string[];
  /** Peppers, newest first (see `Pepper`). Without, digests are plain SHA-256. */
  readonly peppers?: readonly Pepper[];
  /** With peppers, still accept records digested before peppers were configured. */
  readonly acceptUnpeppered?: boolean;
  /** `auto` (default) or `noble` to force the portable digest code. */
  readonly digestImplementation?: 'auto' | 'noble';
  /** Maps an organisation id to the organisation; default: every id is an active `{ id }`. */
  readonly resolveOrganisation?: ResolveOrganisation;
  /** Result cache; `false` turns it off (every request reads the store). */
  readonly cache?:
    | false
    | {
        /** Keys remembered, valid and refused each (default 10,000). */
        readonly maxEntries?: number;
        /** How long a valid key is trusted without reading the store (default 30,000 ms). */
        readonly ttlMs?: number;
        /** How long a refusal is remembered (default 5,000 ms). */
        readonly negativeTtlMs?: number;
      };
  /** A store call taking longer fails closed with `key_store_unavailable` (default 2,000 ms). */
  readonly storeTimeoutMs?: number;
  /** Last-used recording; `false` turns it off. */
  readonly lastUsed?:
    | false
    | {
        /** Record a key's use at most this often per instance (default 60,000 ms). */
        readonly intervalMs?: number;
        /** Write collected uses this often (default 5,000 ms). */
        readonly flushIntervalMs?: number;
      };
  /**
   * Usage counts per key and day (accepted, refused), added to the store in batches
   * (docs/observability.md, "Usage"); `false` turns them off. Off by itself when the store has
   * no `recordUsage`.
   */
  readonly usage?:
    | false
    | {
        /** Write collected counts this often (default 5,000 ms). */
        readonly flushIntervalMs?: number;
      };
  /**
   * The default rate limit of every key (each key counted on its own), on top of a key's own
   * `rateLimit` and its organisation's: the strictest applies. Refused with `rate_limited`. Off
   * by default. Counted by `rateLimiter`.
   */
  readonly rateLimit?: RateLimitPolicy;
  /**
   * The rate limit shared by all of an organisation's keys, from the organisation that
   * `resolveOrganisation` returned (e.g. by its plan); `null`/`undefined` for none. Called when a
   * key is loaded into the cache, not on every request.
   */
  readonly organisationRateLimit?: (
    organisation: Organisation,
  ) => RateLimitPolicy | null | undefined;
  /**
   * Counts rate limits. Default: a `MemoryRateLimiter` of this verifier (per process). For a
   * limit that holds across instances use `RedisRateLimiter` from `@keygate/redis`. Closed by
   * `close()`.
   */
  readonly rateLimiter?: RateLimiter;
  /**
   * Unknown keys one client address may try per window before it is refused with `rate_limited`
   * without a store read (default 100 a minute); `false` turns it off. Applies only when `verify`
   * is given the client's address (the adapters do; a bare `verify()` does not).
   */
  readonly refusalBudget?: false | RateLimitPolicy;
  /** Which rate-limit header fields responses carry: `draft` (default), `legacy` or `none`. */
  readonly rateLimitHeaders?: RateLimitHeaderStyle;
  /** The header the key travels in, used in messages and by adapters (default `x-api-key`). */
  readonly headerName?: string;
  /** `realm` of `WWW-Authenticate` (default `api`). */
  readonly realm?: string;
  /** Prefix of problem `type` URIs. */
  readonly problemTypeBase?: string;
  /**
   * Where keygate's warnings go (pino's shape: `warn(fields, message)`). Default: a quiet
   * console logger (warnings and errors only); the Fastify plugin hands over `fastify.log`.
   */
  readonly logger?: KeygateLogger;
  /**
   * Told about failures off the request path; never given a key. Default: a warning through
   * `logger`, at most one per operation every 10 s.
   */
  readonly onError?: (error: unknown, operation: VerifierOperation) => void;
}

/** The resolved options. */
export interface ResolvedVerifierOptions {
  readonly store: KeyStore;
  readonly format: KeyFormat;
  readonly accepted: ReadonlySet<string>;
  readonly digester: KeyDigester;
  readonly resolveOrganisation: ResolveOrganisation | undefined;
  readonly cache:
    | { readonly maxEntries: number; readonly ttlMs: number; readonly negativeTtlMs: number }
    | undefined;
  readonly storeTimeoutMs: number;
  readonly lastUsed: { readonly intervalMs: number; readonly flushIntervalMs: number } | undefined;
  /** `undefined` when usage is off or the store keeps none. */
  readonly usage: { readonly flushIntervalMs: number } | undefined;
  readonly rateLimit: RateLimitPolicy | undefined;
  readonly organisationRateLimit:
    | ((organisation: Organisation) => RateLimitPolicy | null | undefined)
    | undefined;
  readonly rateLimiter: RateLimiter | undefined;
  readonly refusalBudget: RateLimitPolicy | undefined;
  readonly rateLimitHeaders: RateLimitHeaderStyle;
  readonly headerName: string;
  readonly realm: string;
  readonly problemTypeBase: string | undefined;
  /** The given logger, or a {@link DefaultLogger} that a host may replace. */
  readonly logger: KeygateLogger;
  readonly onError: (error: unknown, operation: VerifierOperation) => void;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Checks and resolves verifier options. Throws `TypeError`/`RangeError` naming `@keygate/core`. */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('@keygate/core: createVerifier needs an options object with a store');
  }
  const store = checkStore(options.store);
  const format = isKeyFormat(options.format) ? options.format : createKeyFormat(options.format);
  const environments = options.environments ?? format.environments;
  for (const environment of environments) {
    if (!format.environments.includes(environment)) {
      throw new TypeError(
        `@keygate/core: environment ${JSON.stringify(environment)} is not in the key format`,
      );
    }
  }
  if (environments.length === 0)
    throw new TypeError('@keygate/core: accept at least one environment');
  if (
    options.resolveOrganisation !== undefined &&
    typeof options.resolveOrganisation !== 'function'
  ) {
    throw new TypeError('@keygate/core: resolveOrganisation must be a function');
  }
  const cache =
    options.cache === false
      ? undefined
      : {
          maxEntries: positiveInteger(options.cache?.maxEntries ?? 10_000, 'cache.maxEntries'),
          ttlMs: positiveInteger(options.cache?.ttlMs ?? 30_000, 'cache.ttlMs'),
          negativeTtlMs: positiveInteger(
            options.cache?.negativeTtlMs ?? 5_000,
            'cache.negativeTtlMs',
          ),
        };
  const lastUsed =
    options.lastUsed === false
      ? undefined
      : {
          intervalMs: positiveInteger(
            options.lastUsed?.intervalMs ?? 60_000,
            'lastUsed.intervalMs',
          ),
          flushIntervalMs: positiveInteger(
            options.lastUsed?.flushIntervalMs ?? 5_000,
            'lastUsed.flushIntervalMs',
          ),
        };
  const usage =
    options.usage === false || typeof store.recordUsage !== 'function'
      ? undefined
      : {
          flushIntervalMs: positiveInteger(
            options.usage?.flushIntervalMs ?? 5_000,
            'usage.flushIntervalMs',
          ),
        };
  const rateLimit =
    options.rateLimit === undefined
      ? undefined
      : checkRateLimitPolicy(options.rateLimit, 'rateLimit');
  if (
    options.organisationRateLimit !== undefined &&
    typeof options.organisationRateLimit !== 'function'
  ) {
    throw new TypeError('@keygate/core: organisationRateLimit must be a function');
  }
  const rateLimiter = options.rateLimiter;
  if (
    rateLimiter !== undefined &&
    (typeof rateLimiter !== 'object' ||
      rateLimiter === null ||
      typeof rateLimiter.consume !== 'function')
  ) {
    throw new TypeError('@keygate/core: rateLimiter must have a consume() method');
  }
  const refusalBudget =
    options.refusalBudget === false
      ? undefined
      : checkRateLimitPolicy(options.refusalBudget ?? DEFAULT_REFUSAL_BUDGET, 'refusalBudget');
  const rateLimitHeaders = options.rateLimitHeaders ?? 'draft';
  if (!['draft', 'legacy', 'none'].includes(rateLimitHeaders)) {
    throw new TypeError("@keygate/core: rateLimitHeaders must be 'draft', 'legacy' or 'none'");
  }
  const headerName = (options.headerName ?? 'x-api-key').toLowerCase();
  if (!HEADER_NAME.test(headerName)) {
    throw new TypeError(
      `@keygate/core: ${JSON.stringify(options.headerName)} is not a header name`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('@keygate/core: onError must be a function');
  }
  const logger = checkLogger(options.logger, '@keygate/core') ?? new DefaultLogger();
  const digesterOptions = {
    ...(options.peppers === undefined ? {} : { peppers: options.peppers }),
    ...(options.acceptUnpeppered === undefined
      ? {}
      : { acceptUnpeppered: options.acceptUnpeppered }),
    ...(options.digestImplementation === undefined
      ? {}
      : { implementation: options.digestImplementation }),
  };
  return Object.freeze({
    store,
    format,
    accepted: new Set(environments),
    digester: createKeyDigester(digesterOptions),
    resolveOrganisation: options.resolveOrganisation,
    cache: cache && Object.freeze(cache),
    storeTimeoutMs: positiveInteger(options.storeTimeoutMs ?? 2_000, 'storeTimeoutMs'),
    lastUsed: lastUsed && Object.freeze(lastUsed),
    usage: usage && Object.freeze(usage),
    rateLimit,
    organisationRateLimit: options.organisationRateLimit,
    rateLimiter,
    refusalBudget,
    rateLimitHeaders,
    headerName,
    realm: options.realm ?? 'api',
    problemTypeBase: options.problemTypeBase,
    logger,
    // Failures are published on `keygate:store` too, while someone listens (verify-events.ts).
    onError: publishingStoreFailures(options.onError ?? throttledWarning(logger)),
  });
}

function isKeyFormat(value: KeyFormat | KeyFormatOptions | undefined): value is KeyFormat {
  return value !== undefined && 'prefixes' in value && 'pattern' in value;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`@keygate/core: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

// Under an outage every request fails the same way: one line per operation per 10 s is enough.
function throttledWarning(
  logger: KeygateLogger,
): (error: unknown, operation: VerifierOperation) => void {
  const lastWarned = new Map<VerifierOperation, number>();
  return (error, operation) => {
    const now = Date.now();
    if (now - (lastWarned.get(operation) ?? 0) < 10_000) return;
    lastWarned.set(operation, now);
    const message = error instanceof Error ? error.message : String(error);
    logger.warn(
      { operation, ...errorFields(error) },
      `@keygate/core: ${operation} failed: ${message}`,
    );
  };
}
