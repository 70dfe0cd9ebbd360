// Options of RedisRateLimiter, checked and resolved once into a frozen object: misuse throws a
// TypeError or RangeError here, at start-up, never at request time.

import { checkLogger, createConsoleLogger, errorFields, type KeygateLogger } from '@keygate/core';
import type { RedisCommandClient } from './client.js';
import { DEFAULT_NAMESPACE } from './key-layout.js';

const PACKAGE = '@keygate/redis';

/**
 * Options of {@link RedisRateLimiter}.
 *
 * @example
 * ```ts
 * const options: RedisRateLimiterOptions = { client, mode: 'approximate', onStoreError: 'fail-open' };
 * ```
 */
export interface RedisRateLimiterOptions {
  /** An ioredis `Redis` or `Cluster` (the same client as the store's is fine). */
  readonly client: RedisCommandClient;
  /** The namespace and hash tag, as the store's `namespace` (default `keygate`): `{keygate}:rl:…`. */
  readonly namespace?: string;
  /**
   * `strict` (default): every request is one atomic script in Redis, so a limit holds exactly
   * across instances, at a round trip per request. `approximate`: each instance counts locally and
   * adds its counts in one script per `syncIntervalMs` (or sooner near a limit), so most requests
   * cost no round trip and a limit holds within a few percent.
   */
  readonly mode?: 'strict' | 'approximate';
  /**
   * What a request gets when Redis fails or times out: `fail-closed` (default) refuses it with
   * `key_store_unavailable` (503), like a failing key store; `fail-open` lets it through uncounted.
   */
  readonly onStoreError?: 'fail-closed' | 'fail-open';
  /** Approximate mode: how often local counts are sent (default 50 ms). */
  readonly syncIntervalMs?: number;
  /**
   * Approximate mode: the share of what is left of a limit that one instance may accept before it
   * syncs (default 0.05). Smaller holds the limit tighter, at more calls near the limit.
   */
  readonly localShare?: number;
  /** Approximate mode: subjects kept locally (default 100,000). */
  readonly maxSubjects?: number;
  /** Where failures are logged (pino's shape). Default: a quiet console logger. */
  readonly logger?: KeygateLogger;
  /** Told when Redis fails. Default: a warning through `logger`, at most once every 10 s. */
  readonly onError?: (error: unknown) => void;
}

/** The options after checking, with every default filled in. */
export interface ResolvedRateLimiterOptions {
  readonly client: RedisCommandClient;
  readonly namespace: string;
  readonly mode: 'strict' | 'approximate';
  readonly onStoreError: 'fail-closed' | 'fail-open';
  readonly syncIntervalMs: number;
  readonly localShare: number;
  readonly maxSubjects: number;
  readonly onError: (error: unknown) => void;
}

const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Checks `options` and returns a new, frozen object. */
export function resolveRateLimiterOptions(
  options: RedisRateLimiterOptions,
): ResolvedRateLimiterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PACKAGE}: RedisRateLimiter needs an options object with a client`);
  }
  const { client, namespace, mode = 'strict', onStoreError = 'fail-closed' } = options;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.evalsha !== 'function' ||
    typeof client.eval !== 'function'
  ) {
    throw new TypeError(`${PACKAGE}: client must be an ioredis Redis or Cluster instance`);
  }
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace))
  ) {
    throw new TypeError(
      `${PACKAGE}: namespace must be 1 to 100 letters, digits or _ - . : (it becomes a hash tag)`,
    );
  }
  if (mode !== 'strict' && mode !== 'approximate') {
    throw new TypeError(`${PACKAGE}: mode must be 'strict' or 'approximate'`);
  }
  if (onStoreError !== 'fail-closed' && onStoreError !== 'fail-open') {
    throw new TypeError(`${PACKAGE}: onStoreError must be 'fail-closed' or 'fail-open'`);
  }
  const syncIntervalMs = options.syncIntervalMs ?? 50;
  if (!Number.isSafeInteger(syncIntervalMs) || syncIntervalMs < 1 || syncIntervalMs > 60_000) {
    throw new RangeError(`${PACKAGE}: syncIntervalMs must be whole milliseconds from 1 to 60,000`);
  }
  const localShare = options.localShare ?? 0.05;
  if (typeof localShare !== 'number' || !(localShare > 0 && localShare <= 1)) {
    throw new RangeError(`${PACKAGE}: localShare must be a number above 0 and at most 1`);
  }
  const maxSubjects = options.maxSubjects ?? 100_000;
  if (!Number.isSafeInteger(maxSubjects) || maxSubjects < 1) {
    throw new RangeError(`${PACKAGE}: maxSubjects must be a positive integer`);
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError(`${PACKAGE}: onError must be a function`);
  }
  return Object.freeze({
    client,
    namespace: namespace ?? DEFAULT_NAMESPACE,
    mode,
    onStoreError,
    syncIntervalMs,
    localShare,
    maxSubjects,
    onError:
      options.onError ??
      throttledWarning(checkLogger(options.logger, PACKAGE) ?? createConsoleLogger()),
  });
}

// Under an outage every request fails the same way: one line every 10 s is enough.
function throttledWarning(logger: KeygateLogger): (error: unknown) => void {
  let lastWarned = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastWarned < 10_000) return;
    lastWarned = now;
    const message = error instanceof Error ? error.message : String(error);
    logger.warn(errorFields(error), `${PACKAGE}: the rate limiter's Redis failed: ${message}`);
  };
}
