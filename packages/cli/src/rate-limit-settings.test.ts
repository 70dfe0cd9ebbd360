import { MemoryKeyStore, type RateLimiter } from '@keygate/core';
import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-errors.js';
import type { OpenedKeyStore, SharedRateLimiterOptions } from './open-key-store.js';
import { rateLimitOptions, rateLimitSettingsFromEnvironment } from './rate-limit-settings.js';

function openedStore(kind: OpenedKeyStore['kind'], made: SharedRateLimiterOptions[] = []) {
  const limiter: RateLimiter = { consume: () => ({ allowed: true, retryAfterMs: 0, states: [] }) };
  const opened: OpenedKeyStore = {
    kind,
    store: new MemoryKeyStore(),
    displayUrl: `${kind}:test`,
    migrate: async () => [],
    close: async () => {},
    ...(kind === 'redis'
      ? {
          createRateLimiter: (options: SharedRateLimiterOptions) => {
            made.push(options);
            return limiter;
          },
        }
      : {}),
  };
  return { opened, limiter };
}

describe('rateLimitSettingsFromEnvironment', () => {
  it('reads KEYGATE_RATE_LIMIT* and names the variable of a mistake', () => {
    expect(
      rateLimitSettingsFromEnvironment({
        KEYGATE_RATE_LIMIT: '100/1m',
        KEYGATE_RATE_LIMITER: 'redis',
        KEYGATE_RATE_LIMIT_MODE: 'approximate',
      }),
    ).toEqual({
      default: { limit: 100, windowMs: 60_000 },
      limiter: 'redis',
      mode: 'approximate',
      onStoreError: 'fail-closed',
    });
    expect(rateLimitSettingsFromEnvironment({ KEYGATE_RATE_LIMITER: ' ' }).limiter).toBe('memory');
    expect(() => rateLimitSettingsFromEnvironment({ KEYGATE_RATE_LIMIT_MODE: 'strict' })).toThrow(
      /KEYGATE_RATE_LIMIT_MODE applies to the redis limiter: set KEYGATE_RATE_LIMITER/,
    );
    expect(() => rateLimitSettingsFromEnvironment({ KEYGATE_RATE_LIMIT: 'lots' })).toThrow(
      UsageError,
    );
  });
});

describe('rateLimitOptions', () => {
  it('gives the default limit and no limiter for memory (the verifier makes its own)', () => {
    const { opened } = openedStore('sqlite');
    const settings = rateLimitSettingsFromEnvironment({ KEYGATE_RATE_LIMIT: '10/1s' });
    expect(rateLimitOptions(settings, opened)).toEqual({
      rateLimit: { limit: 10, windowMs: 1000 },
    });
  });

  it("makes the store's Redis limiter with the mode and store-error rule", () => {
    const made: SharedRateLimiterOptions[] = [];
    const { opened, limiter } = openedStore('redis', made);
    const settings = rateLimitSettingsFromEnvironment({
      KEYGATE_RATE_LIMITER: 'redis',
      KEYGATE_RATE_LIMIT_ON_STORE_ERROR: 'fail-open',
    });
    expect(rateLimitOptions(settings, opened)).toEqual({ rateLimiter: limiter });
    expect(made).toEqual([{ mode: 'strict', onStoreError: 'fail-open' }]);
  });

  it('refuses the redis limiter over a store that is not Redis', () => {
    const { opened } = openedStore('postgres');
    const settings = rateLimitSettingsFromEnvironment({ KEYGATE_RATE_LIMITER: 'redis' });
    expect(() => rateLimitOptions(settings, opened)).toThrow(
      /the redis rate limiter needs a redis:\/\/ store \(this one is postgres\)/,
    );
  });
});
