// How a server opened from a store URL counts rate limits: `keygate serve`'s `rateLimit` setting
// and the reference server's KEYGATE_RATE_LIMIT* variables. A default limit per key, and where the
// counts live: in the process (`memory`), or in the store's Redis (`redis`, `strict` or
// `approximate`) so that a limit holds across every instance (docs/quotas.md, "Limiters").
import { checkRateLimitPolicy, type RateLimiter, type RateLimitPolicy } from '@keygate/core';
import { parseRatePerDuration } from '@keygate/core/management';
import { UsageError } from './cli-errors.js';
import type { OpenedKeyStore } from './open-key-store.js';

/** Where rate-limit counts live. */
export type RateLimiterKind = 'memory' | 'redis';

/** The resolved rate-limit settings of a server. */
export interface RateLimitSettings {
  /** The limit of every key without a stricter one of its own (`undefined`: none). */
  readonly default: RateLimitPolicy | undefined;
  /** `memory` (default): per process. `redis`: shared by every instance on the store's Redis. */
  readonly limiter: RateLimiterKind;
  /** Redis only: `strict` (default, every request counted in Redis) or `approximate`. */
  readonly mode: 'strict' | 'approximate';
  /** Redis only: `fail-closed` (default, 503 while Redis fails) or `fail-open`. */
  readonly onStoreError: 'fail-closed' | 'fail-open';
}

/** No default limit, counted in the process. */
export const DEFAULT_RATE_LIMIT_SETTINGS: RateLimitSettings = Object.freeze({
  default: undefined,
  limiter: 'memory',
  mode: 'strict',
  onStoreError: 'fail-closed',
});

/** The settings as written (in a JSON file or environment variables): strings. */
export interface RateLimitSettingsText {
  readonly default?: unknown;
  readonly limiter?: unknown;
  readonly mode?: unknown;
  readonly onStoreError?: unknown;
}

/**
 * Checks written settings; `name(field)` says how the user spelled a field in messages
 * (`rateLimit.mode`, `KEYGATE_RATE_LIMIT_MODE`). Every mistake is a {@link UsageError}.
 *
 * @example
 * ```ts
 * parseRateLimitSettings({ default: '100/1m', limiter: 'redis' }, (field) => `rateLimit.${field}`);
 * ```
 */
export function parseRateLimitSettings(
  text: RateLimitSettingsText,
  name: (field: keyof RateLimitSettingsText) => string,
): RateLimitSettings {
  const limiter = oneOf(text.limiter, ['memory', 'redis'], name('limiter')) ?? 'memory';
  const mode = oneOf(text.mode, ['strict', 'approximate'], name('mode'));
  const onStoreError = oneOf(text.onStoreError, ['fail-closed', 'fail-open'], name('onStoreError'));
  if (limiter === 'memory' && (mode !== undefined || onStoreError !== undefined)) {
    throw new UsageError(
      `${name(mode === undefined ? 'onStoreError' : 'mode')} applies to the redis limiter: set ${name('limiter')} to "redis"`,
    );
  }
  return Object.freeze({
    default: defaultPolicy(text.default, name('default')),
    limiter,
    mode: mode ?? 'strict',
    onStoreError: onStoreError ?? 'fail-closed',
  });
}

/**
 * Reads the reference server's variables: `KEYGATE_RATE_LIMIT` (`100/1m`, or `none`),
 * `KEYGATE_RATE_LIMITER` (`memory` or `redis`), `KEYGATE_RATE_LIMIT_MODE` (`strict` or
 * `approximate`) and `KEYGATE_RATE_LIMIT_ON_STORE_ERROR` (`fail-closed` or `fail-open`).
 *
 * @example
 * ```ts
 * const settings = rateLimitSettingsFromEnvironment(process.env);
 * ```
 */
export function rateLimitSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): RateLimitSettings {
  const variables = {
    default: 'KEYGATE_RATE_LIMIT',
    limiter: 'KEYGATE_RATE_LIMITER',
    mode: 'KEYGATE_RATE_LIMIT_MODE',
    onStoreError: 'KEYGATE_RATE_LIMIT_ON_STORE_ERROR',
  } as const;
  const given = (variable: string) => {
    const value = env[variable]?.trim();
    return value === '' ? undefined : value;
  };
  return parseRateLimitSettings(
    {
      default: given(variables.default),
      limiter: given(variables.limiter),
      mode: given(variables.mode),
      onStoreError: given(variables.onStoreError),
    },
    (field) => variables[field],
  );
}

/**
 * The verifier options for `settings` over an open store: `rateLimit` and, for `redis`, a
 * `RedisRateLimiter` on the store's own connection and namespace (closed with the verifier).
 * A `redis` limiter over a store that is not Redis is a {@link UsageError}.
 *
 * @example
 * ```ts
 * const keygate = createKeygate({ store: opened.store, ...rateLimitOptions(settings, opened) });
 * ```
 */
export function rateLimitOptions(
  settings: RateLimitSettings,
  opened: OpenedKeyStore,
  onError?: (error: unknown) => void,
): { rateLimit?: RateLimitPolicy; rateLimiter?: RateLimiter } {
  const rateLimit = settings.default === undefined ? {} : { rateLimit: settings.default };
  if (settings.limiter === 'memory') return rateLimit;
  if (opened.createRateLimiter === undefined) {
    throw new UsageError(
      `the redis rate limiter needs a redis:// store (this one is ${opened.kind}); use the memory limiter`,
    );
  }
  const rateLimiter = opened.createRateLimiter({
    mode: settings.mode,
    onStoreError: settings.onStoreError,
    ...(onError === undefined ? {} : { onError }),
  });
  return { ...rateLimit, rateLimiter };
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `${name} must be ${allowed.map((one) => JSON.stringify(one)).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

// "100/1m" (as the CLI's --rate-limit), or "none"/null for no default.
function defaultPolicy(value: unknown, name: string): RateLimitPolicy | undefined {
  if (value === undefined || value === null || value === 'none') return undefined;
  const rate = typeof value === 'string' ? parseRatePerDuration(value) : undefined;
  if (rate === undefined) {
    throw new UsageError(
      `${name} must be <requests>/<window> such as "100/1m" (or "none"), got ${JSON.stringify(value)}`,
    );
  }
  try {
    return checkRateLimitPolicy({ limit: rate.count, windowMs: rate.ms }, name);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^@keygate\/core: /, ''));
  }
}
