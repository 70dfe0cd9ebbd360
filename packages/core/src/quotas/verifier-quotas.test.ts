// The verifier's quota stage: limits that live in the limiter (not in the cache), the strictest of
// default / key / organisation, credits, header fields, failures, and the refusal budget.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../generate.js';
import type { KeyStore } from '../key-store.js';
import { createKeygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import type { VerifyResult } from '../verifier.js';
import type { VerifierOptions } from '../verifier-options.js';
import type { RateLimiter } from './rate-limiter.js';

const WINDOW_START = Date.UTC(2026, 0, 1);

class CountingStore extends MemoryKeyStore {
  lookups = 0;
  creditCalls = 0;
  failCredits = false;

  override findByHash(hash: string) {
    this.lookups++;
    return super.findByHash(hash);
  }

  override consumeCredits(...args: Parameters<KeyStore['consumeCredits']>) {
    this.creditCalls++;
    if (this.failCredits) return Promise.reject(new Error('credits table is gone'));
    return super.consumeCredits(...args);
  }
}

function setup(options: Partial<VerifierOptions> = {}) {
  const store = new CountingStore();
  const errors: string[] = [];
  const keygate = createKeygate({
    store,
    onError: (_error, operation) => errors.push(operation),
    ...options,
  });
  return { store, errors, verifier: keygate.verifier, keys: keygate.keys };
}

function codeOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.error.code;
}

async function codes(run: () => VerifyResult | Promise<VerifyResult>, times: number) {
  const seen: string[] = [];
  for (let index = 0; index < times; index++) seen.push(codeOf(await run()));
  return seen;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('rate limits live in the limiter, not in the cache', () => {
  it('holds with the cache off (it used to let 6 of 6 through a limit of 3)', async () => {
    const { verifier, keys, store } = setup({
      cache: false,
      rateLimit: { limit: 3, windowMs: 60_000 },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(await codes(() => verifier.verify(key), 6)).toEqual([
      'ok',
      'ok',
      'ok',
      'rate_limited',
      'rate_limited',
      'rate_limited',
    ]);
    expect(store.lookups).toBe(6);
  });

  it('holds when the cache evicts the key between requests', async () => {
    const { verifier, keys } = setup({
      cache: { maxEntries: 1 },
      rateLimit: { limit: 2, windowMs: 60_000 },
    });
    const first = (await keys.create({ organisationId: 'org', name: 'a' })).key;
    const second = (await keys.create({ organisationId: 'org', name: 'b' })).key;
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) {
      seen.push(codeOf(await verifier.verify(first)));
      seen.push(codeOf(await verifier.verify(second))); // pushes `first` out of the cache
    }
    expect(seen).toEqual(['ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
  });

  it('holds across a TTL refresh of the cache entry (fake clock)', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START);
    const { verifier, keys, store } = setup({
      cache: { ttlMs: 1000 },
      rateLimit: { limit: 2, windowMs: 60_000 },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(await codes(() => verifier.verify(key), 2)).toEqual(['ok', 'ok']);
    vi.advanceTimersByTime(5_000);
    expect(codeOf(await verifier.verify(key))).toBe('rate_limited');
    expect(store.lookups).toBe(2); // the entry was read again, and its count was not reset
  });

  it('frees requests as the window slides, and says when in Retry-After', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START);
    const { verifier, keys } = setup({ rateLimit: { limit: 10, windowMs: 60_000 } });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await codes(() => verifier.verify(key), 10);
    const refused = await verifier.verify(key);
    expect(codeOf(refused)).toBe('rate_limited');
    // Next window: 10 × (1 − e/60 s) + 1 ≤ 10 once e ≥ 6 s, so 66 s from now.
    expect(!refused.ok && verifier.problem(refused.error).headers['retry-after']).toBe('66');
    vi.advanceTimersByTime(65_999);
    expect(codeOf(await verifier.verify(key))).toBe('rate_limited');
    vi.advanceTimersByTime(1);
    expect(codeOf(await verifier.verify(key))).toBe('ok');
  });

  it('answers a cache hit synchronously with an in-memory limit', async () => {
    const { verifier, keys } = setup({ rateLimit: { limit: 100, windowMs: 60_000 } });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    const hit = verifier.verify(key);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(codeOf(hit as VerifyResult)).toBe('ok');
  });
});

describe('the strictest of default, key and organisation limits applies', () => {
  it("counts a key's own limit on top of the default", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START);
    const { verifier, keys } = setup({ rateLimit: { limit: 10, windowMs: 60_000 } });
    const { key, record } = await keys.create({
      organisationId: 'org',
      name: 'a',
      rateLimit: { limit: 3, windowMs: 60_000 },
    });
    expect(record.rateLimit).toEqual({ limit: 3, windowMs: 60_000 });
    const first = await verifier.verify(key);
    expect(verifier.quotaHeaders(first)).toEqual({
      'ratelimit-policy': '"default";q=10;w=60, "key";q=3;w=60',
      ratelimit: '"default";r=9;t=120, "key";r=2;t=120',
    });
    expect(await codes(() => verifier.verify(key), 3)).toEqual(['ok', 'ok', 'rate_limited']);
  });

  it("shares an organisation's limit between its keys", async () => {
    const { verifier, keys } = setup({
      organisationRateLimit: (organisation) =>
        organisation.id === 'org_small' ? { limit: 3, windowMs: 60_000 } : null,
    });
    const a = (await keys.create({ organisationId: 'org_small', name: 'a' })).key;
    const b = (await keys.create({ organisationId: 'org_small', name: 'b' })).key;
    const other = (await keys.create({ organisationId: 'org_big', name: 'c' })).key;
    expect(codeOf(await verifier.verify(a))).toBe('ok');
    expect(codeOf(await verifier.verify(a))).toBe('ok');
    expect(codeOf(await verifier.verify(b))).toBe('ok');
    const refused = await verifier.verify(b);
    expect(codeOf(refused)).toBe('rate_limited');
    expect(!refused.ok && refused.error.detail).toMatch(/organisation/);
    const problem = !refused.ok ? verifier.problem(refused.error) : undefined;
    expect(problem?.headers['ratelimit-policy']).toBe('"organisation";q=3;w=60');
    expect(problem?.headers.ratelimit).toMatch(/^"organisation";r=0;t=\d+$/);
    expect(codeOf(await verifier.verify(other))).toBe('ok');
    // A key without quotas gets the cached success itself: nothing allocated, nothing counted.
    expect(await verifier.verify(other)).toBe(await verifier.verify(other));
  });

  it('sends the older RateLimit-Limit/-Remaining/-Reset trio when asked', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START + 30_000);
    const { verifier, keys } = setup({
      rateLimit: { limit: 10, windowMs: 60_000 },
      rateLimitHeaders: 'legacy',
    });
    const { key } = await keys.create({
      organisationId: 'org',
      name: 'a',
      rateLimit: { limit: 5, windowMs: 10_000 },
    });
    const result = await verifier.verify(key);
    expect(verifier.quotaHeaders(result)).toEqual({
      'ratelimit-limit': '5',
      'ratelimit-remaining': '4',
      'ratelimit-reset': '20',
    });
  });
});

describe('usage credits', () => {
  it('takes one credit a request, then refuses with usage_exceeded and no Retry-After', async () => {
    const { verifier, keys } = setup();
    const { key } = await keys.create({
      organisationId: 'org',
      name: 'a',
      credits: { remaining: 2 },
    });
    const first = await verifier.verify(key);
    expect(first.ok && first.quota?.creditsRemaining).toBe(1);
    expect(verifier.quotaHeaders(first)).toEqual({ 'credits-remaining': '1' });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    const refused = await verifier.verify(key);
    expect(codeOf(refused)).toBe('usage_exceeded');
    const problem = !refused.ok ? verifier.problem(refused.error) : undefined;
    expect(problem?.status).toBe(429);
    expect(problem?.body.detail).toBe('This API key has used all its credits.');
    expect(problem?.headers['retry-after']).toBeUndefined();
    expect(problem?.headers['credits-remaining']).toBe('0');
  });

  it('charges a route its own cost, and nothing for cost 0', async () => {
    const { verifier, keys, store } = setup();
    const { key, record } = await keys.create({
      organisationId: 'org',
      name: 'a',
      credits: { remaining: 10 },
    });
    expect(await verifier.verify(key, { cost: 4 })).toMatchObject({
      quota: { creditsRemaining: 6 },
    });
    const calls = store.creditCalls;
    expect(codeOf(await verifier.verify(key, { cost: 0 }))).toBe('ok');
    expect(store.creditCalls).toBe(calls);
    expect(codeOf(await verifier.verify(key, { cost: 7 }))).toBe('usage_exceeded');
    expect((await store.findById(record.id))?.credits?.remaining).toBe(6);
  });

  it('says in Retry-After when a refill is due', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START);
    const { verifier, keys } = setup();
    const { key } = await keys.create({
      organisationId: 'org',
      name: 'a',
      credits: { remaining: 1, refill: { amount: 5, intervalMs: 3_600_000 } },
    });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    vi.advanceTimersByTime(600_000);
    const refused = await verifier.verify(key);
    expect(codeOf(refused)).toBe('usage_exceeded');
    expect(!refused.ok && refused.error.retryAfterSeconds).toBe(3000);
    vi.advanceTimersByTime(3_000_000);
    expect(await verifier.verify(key)).toMatchObject({ ok: true, quota: { creditsRemaining: 4 } });
  });

  it('never calls the store for credits on a key without credits', async () => {
    const { verifier, keys, store } = setup({ rateLimit: { limit: 100, windowMs: 60_000 } });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    for (let index = 0; index < 5; index++) await verifier.verify(key);
    expect(store.creditCalls).toBe(0);
  });

  it('fails closed (503) when the store cannot take credits', async () => {
    const { verifier, keys, store, errors } = setup();
    const { key } = await keys.create({
      organisationId: 'org',
      name: 'a',
      credits: { remaining: 5 },
    });
    store.failCredits = true;
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    expect(errors).toContain('credits');
    store.failCredits = false;
    expect(codeOf(await verifier.verify(key))).toBe('ok');
  });
});

describe('a failing limiter', () => {
  it('fails closed when it throws, and says so through onError', async () => {
    const limiter: RateLimiter = {
      consume: () => {
        throw new Error('limiter bug');
      },
    };
    const { verifier, keys, errors } = setup({
      rateLimit: { limit: 5, windowMs: 60_000 },
      rateLimiter: limiter,
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    expect(errors).toEqual(['rate-limit']);
  });

  it('answers 503 when the limiter says its store is unavailable', async () => {
    const limiter: RateLimiter = {
      consume: async () => ({ allowed: false, unavailable: true, retryAfterMs: 0, states: [] }),
    };
    const { verifier, keys } = setup({
      rateLimit: { limit: 5, windowMs: 60_000 },
      rateLimiter: limiter,
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
  });

  it('answers 503 and reports it when organisationRateLimit answers no policy', async () => {
    const { verifier, keys, errors } = setup({
      organisationRateLimit: () => ({ limit: -1, windowMs: 60_000 }),
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    expect(errors).toEqual(['rate-limit']);
  });
});

describe('the refusal budget of a client address', () => {
  const fromClient = { clientAddress: (request: unknown) => (request as { ip: string }).ip };

  it('refuses a client after 100 unknown keys a minute without reading the store', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(WINDOW_START);
    const { verifier, store, keys } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key, fromClient, { ip: '192.0.2.1' }); // cached before the flood
    const lookups = store.lookups;
    const seen = new Map<string, number>();
    for (let index = 0; index < 150; index++) {
      const code = codeOf(
        await verifier.verify(generateApiKey().key, fromClient, { ip: '192.0.2.1' }),
      );
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual({ invalid_api_key: 100, rate_limited: 50 });
    expect(store.lookups - lookups).toBe(100);
    const refused = await verifier.verify(generateApiKey().key, fromClient, { ip: '192.0.2.1' });
    const problem = !refused.ok ? verifier.problem(refused.error) : undefined;
    expect(problem?.status).toBe(429);
    expect(Number(problem?.headers['retry-after'])).toBeGreaterThan(0);
    expect(problem?.headers['ratelimit-policy']).toBe('"client";q=100;w=60');
    // Another address, and the client's own cached key, are not affected.
    expect(
      codeOf(await verifier.verify(generateApiKey().key, fromClient, { ip: '192.0.2.2' })),
    ).toBe('invalid_api_key');
    expect(codeOf(await verifier.verify(key, fromClient, { ip: '192.0.2.1' }))).toBe('ok');
    vi.advanceTimersByTime(120_000);
    expect(
      codeOf(await verifier.verify(generateApiKey().key, fromClient, { ip: '192.0.2.1' })),
    ).toBe('invalid_api_key');
  });

  it('is off in a bare verify() without a client address, and with refusalBudget: false', async () => {
    const bare = setup();
    const off = setup({ refusalBudget: false });
    for (let index = 0; index < 120; index++) {
      expect(codeOf(await bare.verifier.verify(generateApiKey().key))).toBe('invalid_api_key');
      expect(
        codeOf(await off.verifier.verify(generateApiKey().key, fromClient, { ip: '192.0.2.9' })),
      ).toBe('invalid_api_key');
    }
    expect(bare.store.lookups).toBe(120);
  });
});
