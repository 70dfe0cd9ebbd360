import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateApiKey } from './generate.js';
import { createKeyManager } from './key-manager.js';
import type { KeyStore } from './key-store.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { createVerifier, type VerifyResult } from './verifier.js';
import type { VerifierOptions } from './verifier-options.js';

/** A MemoryKeyStore that counts lookups and can be told to fail. */
class CountingStore extends MemoryKeyStore {
  lookups = 0;
  lastUsedWrites = 0;
  failure: 'throw' | 'reject' | 'hang' | 'garbage' | 'wrong-hash' | undefined;

  override findByHash(hash: string) {
    this.lookups++;
    if (this.failure === 'throw') throw new Error('store exploded synchronously');
    if (this.failure === 'reject') return Promise.reject(new Error('connection refused'));
    if (this.failure === 'hang') return new Promise<never>(() => {});
    if (this.failure === 'garbage') return Promise.resolve({ id: 42, hash } as never);
    if (this.failure === 'wrong-hash') {
      return super.findByHash(hash).then((record) => record && { ...record, hash: 'other' });
    }
    return super.findByHash(hash);
  }

  override recordLastUsed(entries: Parameters<KeyStore['recordLastUsed']>[0]) {
    this.lastUsedWrites++;
    return super.recordLastUsed(entries);
  }
}

function setup(options: Partial<VerifierOptions> = {}) {
  const store = new CountingStore();
  const keygate = createKeygate({ store, onError: () => {}, ...options });
  return { store, keygate, verifier: keygate.verifier, keys: keygate.keys };
}

function codeOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.error.code;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('verifier: the cheap checks', () => {
  it.each([
    [undefined, 'missing_api_key'],
    ['', 'missing_api_key'],
    [[], 'missing_api_key'],
    [['a', 'b'], 'malformed_api_key'],
    ['sk_live_short', 'malformed_api_key'],
    [`sk_live_${'A'.repeat(48)}`, 'malformed_api_key'],
    ['x'.repeat(10_000), 'malformed_api_key'],
    [12345, 'malformed_api_key'],
  ])('refuses case %# as %s without touching the store', async (value, code) => {
    const { verifier, store } = setup();
    expect(codeOf(await verifier.verify(value))).toBe(code);
    expect(store.lookups).toBe(0);
  });

  it('answers the cheap refusals synchronously', () => {
    const { verifier } = setup();
    const result = verifier.verify('nope');
    expect(result).not.toBeInstanceOf(Promise);
    expect(codeOf(result as VerifyResult)).toBe('malformed_api_key');
  });

  it('tells a client that used Authorization where the key goes', async () => {
    const { verifier } = setup();
    const result = await verifier.verify(undefined, { hasAuthorizationHeader: true });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.detail).toMatch(
      /x-api-key header, not in the Authorization header/,
    );
  });

  it('names the configured header in its messages', async () => {
    const { verifier } = setup({ headerName: 'X-Token' });
    expect(verifier.headerName).toBe('x-token');
    const result = await verifier.verify(undefined);
    expect(!result.ok && result.error.detail).toContain('x-token');
  });

  it('refuses a key of an environment the server does not accept', async () => {
    const { verifier, keys, store } = setup({ environments: ['live'] });
    const { key } = await keys.create({ organisationId: 'org', name: 'ci', environment: 'test' });
    expect(codeOf(await verifier.verify(key))).toBe('wrong_environment');
    expect(store.lookups).toBe(0);
  });

  it('accepts a single-element array (one header)', async () => {
    const { verifier, keys } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify([key]))).toBe('ok');
  });
});

describe('verifier: store answers', () => {
  it('verifies a key and hands back its context, without the key', async () => {
    const { verifier, keys } = setup({
      resolveOrganisation: (id) => ({ id, name: `Org ${id}` }) as never,
    });
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { key, record } = await keys.create({
      organisationId: 'org_1',
      name: 'Production API',
      scopes: ['sites:read'],
      metadata: { team: 'a' },
      expiresAt,
    });
    const result = await verifier.verify(key);
    expect(result).toEqual({
      ok: true,
      context: {
        keyId: record.id,
        organisationId: 'org_1',
        name: 'Production API',
        prefix: key.slice(0, 14),
        environment: 'live',
        scopes: ['sites:read'],
        metadata: { team: 'a' },
        expiresAt,
        organisation: { id: 'org_1', name: 'Org org_1' },
      },
    });
    expect(JSON.stringify(result)).not.toContain(key);
  });

  it('refuses an unknown well-formed key as invalid, and remembers that briefly', async () => {
    vi.useFakeTimers();
    const { verifier, store } = setup();
    const { key } = generateApiKey();
    expect(codeOf(await verifier.verify(key))).toBe('invalid_api_key');
    expect(codeOf(await verifier.verify(key))).toBe('invalid_api_key');
    expect(store.lookups).toBe(1);
    vi.advanceTimersByTime(5_001);
    expect(codeOf(await verifier.verify(key))).toBe('invalid_api_key');
    expect(store.lookups).toBe(2);
  });

  it('answers a cache hit synchronously, with no store call, until the TTL ends', async () => {
    vi.useFakeTimers();
    const { verifier, keys, store } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    const hit = verifier.verify(key);
    expect(hit).not.toBeInstanceOf(Promise);
    expect(codeOf(hit as VerifyResult)).toBe('ok');
    expect(store.lookups).toBe(1);
    vi.advanceTimersByTime(30_001);
    expect(verifier.verify(key)).toBeInstanceOf(Promise);
  });

  it('reloads a key in use in the last quarter of its TTL without making a request wait', async () => {
    vi.useFakeTimers();
    const { verifier, keys, store } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    vi.advanceTimersByTime(22_000);
    verifier.verify(key);
    expect(store.lookups).toBe(1);
    vi.advanceTimersByTime(1_000); // 23 s: past 3/4 of the 30 s TTL
    const early = verifier.verify(key);
    expect(early).not.toBeInstanceOf(Promise);
    expect(codeOf(early as VerifyResult)).toBe('ok');
    verifier.verify(key); // one reload per entry, not one per hit
    await vi.advanceTimersByTimeAsync(0);
    expect(store.lookups).toBe(2);
    // The reloaded entry carries a TTL of its own: well past the first one, still a hit.
    vi.advanceTimersByTime(20_000);
    const later = verifier.verify(key);
    expect(later).not.toBeInstanceOf(Promise);
    expect(codeOf(later as VerifyResult)).toBe('ok');
    expect(store.lookups).toBe(2);
  });

  it('answers what a reload found: a key revoked without an event is refused after the reload', async () => {
    vi.useFakeTimers();
    const store = new CountingStore();
    // No subscription: the verifier learns of the revocation only by reading the store.
    (store as { subscribe?: unknown }).subscribe = undefined;
    const { verifier, keys } = setup({ store });
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    await store.update(record.id, { revokedAt: new Date(Date.now()) });
    vi.advanceTimersByTime(23_000);
    expect(codeOf(verifier.verify(key) as VerifyResult)).toBe('ok');
    await vi.advanceTimersByTimeAsync(0);
    expect(codeOf(verifier.verify(key) as VerifyResult)).toBe('revoked_api_key');
  });

  it('reloads a remembered refusal the same way: a key created meanwhile is then accepted', async () => {
    vi.useFakeTimers();
    const store = new CountingStore();
    (store as { subscribe?: unknown }).subscribe = undefined;
    const { verifier, keys } = setup({ store });
    const { key } = generateApiKey();
    expect(codeOf(await verifier.verify(key))).toBe('invalid_api_key');
    const { record } = await keys.create({ organisationId: 'org', name: 'late' });
    const digest = verifier.options.digester.current;
    await store.update(record.id, { hash: digest.digest(key), hashVersion: digest.version });
    vi.advanceTimersByTime(4_000); // past 3/4 of the 5 s negative TTL
    const early = verifier.verify(key);
    expect(early).not.toBeInstanceOf(Promise);
    expect(codeOf(early as VerifyResult)).toBe('invalid_api_key');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.lookups).toBe(2);
    const after = verifier.verify(key);
    expect(after).not.toBeInstanceOf(Promise);
    expect(codeOf(after as VerifyResult)).toBe('ok');
  });

  it('keeps the entry until its TTL ends when a reload fails, then asks the store again', async () => {
    vi.useFakeTimers();
    const { verifier, keys, store } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    store.failure = 'reject';
    vi.advanceTimersByTime(23_000);
    expect(codeOf(verifier.verify(key) as VerifyResult)).toBe('ok');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.lookups).toBe(2);
    expect(codeOf(verifier.verify(key) as VerifyResult)).toBe('ok');
    vi.advanceTimersByTime(7_001);
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    expect(store.lookups).toBe(3);
  });

  it('reads the store once for many concurrent requests with one key', async () => {
    const { verifier, keys, store } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(key)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(store.lookups).toBe(1);
  });

  it('reads the store every time with the cache off', async () => {
    const { verifier, keys, store } = setup({ cache: false });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    await verifier.verify(key);
    expect(store.lookups).toBe(2);
  });

  it('refuses a revoked key at once on this instance', async () => {
    const { verifier, keys } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    await keys.revoke(record.id);
    expect(codeOf(await verifier.verify(key))).toBe('revoked_api_key');
  });

  it('refuses a deleted key as invalid at once', async () => {
    const { verifier, keys } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    await keys.delete(record.id);
    expect(codeOf(await verifier.verify(key))).toBe('invalid_api_key');
  });

  it('learns of changes made through another manager from the store subscription', async () => {
    const { verifier, keys, store } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.ready;
    await verifier.verify(key);
    const otherInstance = createKeyManager({ store });
    await otherInstance.revoke(record.id);
    expect(codeOf(await verifier.verify(key))).toBe('revoked_api_key');
  });

  it('keeps trying to subscribe when the store was down at start, then empties its cache', async () => {
    vi.useFakeTimers();
    const store = new CountingStore();
    let attempts = 0;
    const subscribe = store.subscribe.bind(store);
    store.subscribe = async (listener) => {
      attempts++;
      if (attempts < 3) throw new Error('connection refused');
      return subscribe(listener);
    };
    const errors: string[] = [];
    const { verifier, keys } = createKeygate({
      store,
      onError: (_e, operation) => errors.push(operation),
    });
    await verifier.ready;
    expect(errors).toEqual(['subscribe']);
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toBe(3);
    expect(verifier.verify(key)).toBeInstanceOf(Promise); // cache emptied on subscribing
    await createKeyManager({ store }).revoke(record.id);
    expect(codeOf(await verifier.verify(key))).toBe('revoked_api_key');
    await verifier.close();
  });

  it('refuses an expired key, also from the cache, on a fake clock', async () => {
    vi.useFakeTimers();
    const { verifier, keys } = setup();
    const { key } = await keys.create({
      organisationId: 'org',
      name: 'a',
      expiresAt: new Date(Date.now() + 10_000),
    });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    vi.advanceTimersByTime(10_000);
    expect(codeOf(await verifier.verify(key))).toBe('expired_api_key');
  });

  it('refuses a key without organisation, and one whose organisation is not active', async () => {
    const active = new Set(['org_on']);
    const { verifier, keys } = setup({ resolveOrganisation: (id) => active.has(id) && { id } });
    const none = await keys.create({ organisationId: null, name: 'orphan' });
    const off = await keys.create({ organisationId: 'org_off', name: 'off' });
    const on = await keys.create({ organisationId: 'org_on', name: 'on' });
    expect(codeOf(await verifier.verify(none.key))).toBe('missing_organisation');
    expect(codeOf(await verifier.verify(off.key))).toBe('missing_organisation');
    expect(codeOf(await verifier.verify(on.key))).toBe('ok');
  });

  it('fails closed (503, not a 401 or a 500) when resolveOrganisation throws', async () => {
    const { verifier, keys } = setup({
      resolveOrganisation: () => {
        throw new Error('organisation table missing');
      },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
  });

  it('checks required scopes after everything else', async () => {
    const { verifier, keys } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a', scopes: ['sites:read'] });
    expect(codeOf(await verifier.verify(key, { requiredScopes: ['sites:read'] }))).toBe('ok');
    const refused = await verifier.verify(key, { requiredScopes: ['sites:read', 'sites:write'] });
    expect(codeOf(refused)).toBe('insufficient_scope');
    expect(!refused.ok && refused.error.status).toBe(403);
    expect(!refused.ok && verifier.problem(refused.error).body.missingScopes).toEqual([
      'sites:write',
    ]);
  });

  it('limits requests per key (sliding window) and says when to retry', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 0, 1)); // the start of a 10 s window
    const { verifier, keys } = setup({ rateLimit: { limit: 3, windowMs: 10_000 } });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(codeOf(await verifier.verify(key)));
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate_limited']);
    const limited = await verifier.verify(key);
    // In the next window the 3 still weigh 3 × (1 − elapsed/10 s): one more fits after 3.33 s.
    expect(!limited.ok && verifier.problem(limited.error).headers['retry-after']).toBe('14');
    vi.advanceTimersByTime(13_000);
    expect(codeOf(await verifier.verify(key))).toBe('rate_limited');
    vi.advanceTimersByTime(334);
    expect(codeOf(await verifier.verify(key))).toBe('ok');
  });
});

describe('verifier: store failures fail closed', () => {
  for (const failure of ['throw', 'reject', 'hang', 'garbage', 'wrong-hash'] as const) {
    it(`answers key_store_unavailable when the store ${failure}s, and recovers`, async () => {
      const errors: string[] = [];
      const { verifier, keys, store } = setup({
        storeTimeoutMs: 50,
        onError: (_error, operation) => errors.push(operation),
      });
      const { key } = await keys.create({ organisationId: 'org', name: 'a' });
      store.failure = failure;
      const result = await verifier.verify(key);
      expect(codeOf(result)).toBe('key_store_unavailable');
      expect(!result.ok && verifier.problem(result.error)).toMatchObject({
        status: 503,
        headers: { 'retry-after': '5' },
      });
      expect(errors).toContain('lookup');
      store.failure = undefined;
      expect(codeOf(await verifier.verify(key))).toBe('ok');
    });
  }
});

describe('verifier: peppers', () => {
  const oldPepper = { id: 'old', secret: 'the old pepper, long enough' };
  const newPepper = { id: 'new', secret: 'the new pepper, long enough' };

  it('verifies a key made under an older pepper and moves it to the current one', async () => {
    const store = new MemoryKeyStore();
    const before = createKeygate({ store, peppers: [oldPepper] });
    const { key, record } = await before.keys.create({ organisationId: 'org', name: 'a' });
    const after = createKeygate({ store, peppers: [newPepper, oldPepper] });
    expect(codeOf(await after.verifier.verify(key))).toBe('ok');
    await vi.waitFor(async () => {
      expect((await store.findById(record.id))?.hashVersion).toBe('hmac-sha256:new');
    });
    const onlyNew = createKeygate({ store, peppers: [newPepper] });
    expect(codeOf(await onlyNew.verifier.verify(key))).toBe('ok');
  });

  it('does not accept a key made without pepper once peppers are on, unless told to', async () => {
    const store = new MemoryKeyStore();
    const { key } = await createKeygate({ store }).keys.create({
      organisationId: 'org',
      name: 'a',
    });
    const strict = createKeygate({ store, peppers: [newPepper] });
    expect(codeOf(await strict.verifier.verify(key))).toBe('invalid_api_key');
    const lenient = createKeygate({ store, peppers: [newPepper], acceptUnpeppered: true });
    expect(codeOf(await lenient.verifier.verify(key))).toBe('ok');
  });
});

describe('verifier: last used', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('records use off the request path, at most once per key per interval, in one batch', async () => {
    const { verifier, keys, store } = setup({
      lastUsed: { intervalMs: 60_000, flushIntervalMs: 1_000 },
    });
    const a = await keys.create({ organisationId: 'org', name: 'a' });
    const b = await keys.create({ organisationId: 'org', name: 'b' });
    for (let i = 0; i < 10; i++) {
      await verifier.verify(a.key);
      await verifier.verify(b.key);
    }
    expect(store.lastUsedWrites).toBe(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.lastUsedWrites).toBe(1);
    const firstUse = (await store.findById(a.record.id))?.lastUsedAt;
    expect(firstUse).toBeInstanceOf(Date);
    await vi.advanceTimersByTimeAsync(30_000);
    await verifier.verify(a.key);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.lastUsedWrites).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    await verifier.verify(a.key);
    await verifier.close();
    expect(store.lastUsedWrites).toBe(2);
    expect((await store.findById(a.record.id))!.lastUsedAt!.getTime()).toBeGreaterThan(
      firstUse!.getTime(),
    );
  });

  it('keeps a failed batch for the next flush and never fails a request', async () => {
    const { verifier, keys, store } = setup({
      lastUsed: { intervalMs: 1, flushIntervalMs: 1_000 },
    });
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    const original = store.recordLastUsed.bind(store);
    let fail = true;
    store.recordLastUsed = async (entries) => {
      if (fail) throw new Error('write failed');
      return original(entries);
    };
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await store.findById(record.id))?.lastUsedAt).toBeNull();
    fail = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await store.findById(record.id))?.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe('verifier: options', () => {
  it.each([
    [{}, /KeyStore/],
    [{ store: {} }, /findByHash|insert/],
    [{ store: new MemoryKeyStore(), cache: { ttlMs: -1 } }, /cache.ttlMs/],
    [{ store: new MemoryKeyStore(), storeTimeoutMs: 0 }, /storeTimeoutMs/],
    [{ store: new MemoryKeyStore(), environments: ['prod'] }, /environment/],
    [{ store: new MemoryKeyStore(), headerName: 'x api key' }, /header/],
    [{ store: new MemoryKeyStore(), resolveOrganisation: 'yes' }, /resolveOrganisation/],
    [{ store: new MemoryKeyStore(), rateLimit: { limit: 0, windowMs: 1000 } }, /rateLimit.limit/],
  ])('refuses bad options %# at construction, naming the package', (options, message) => {
    expect(() => createVerifier(options as never)).toThrow(message);
    expect(() => createVerifier(options as never)).toThrow('@keygate/core');
  });

  it('never mutates the options it is given', () => {
    const options = Object.freeze({
      store: new MemoryKeyStore(),
      cache: Object.freeze({ ttlMs: 1000 }),
      environments: Object.freeze(['live']),
    });
    const verifier = createVerifier(options);
    expect(verifier.options.cache).toEqual({
      maxEntries: 10_000,
      ttlMs: 1000,
      negativeTtlMs: 5_000,
    });
    expect(Object.isFrozen(verifier.options)).toBe(true);
  });

  it('answers key_store_unavailable once closed', async () => {
    const { verifier, keys } = setup();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.close();
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
  });
});
