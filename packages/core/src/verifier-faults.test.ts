// The verifier under faults of what it calls: a resolver or store that throws or never answers,
// a shutdown while the store is stalled, and an invalidation channel that drops and comes back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DroppingStore } from './dropping-store.test-fixture.js';
import type { KeyStore } from './key-store.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { VerifyResult } from './verifier.js';
import type { VerifierOperation } from './verifier-options.js';

const TIMEOUT_MS = 1_000;

function codeOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.error.code;
}

const never = () => new Promise<never>(() => {});

afterEach(() => {
  vi.useRealTimers();
});

describe('verifier: resolveOrganisation runs under the store deadline', () => {
  it('answers 503 when the resolver never settles, and asks again on the next request', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let hang = true;
    const errors: VerifierOperation[] = [];
    const { verifier, keys } = createKeygate({
      store: new MemoryKeyStore(),
      storeTimeoutMs: TIMEOUT_MS,
      onError: (_error, operation) => errors.push(operation),
      resolveOrganisation: (id) => {
        calls++;
        return hang ? never() : { id };
      },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    const first = Promise.resolve(verifier.verify(key));
    // A second request with the same key joins the stalled lookup and gets the same answer.
    const joined = Promise.resolve(verifier.verify(key));
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(codeOf(await first)).toBe('key_store_unavailable');
    expect(codeOf(await joined)).toBe('key_store_unavailable');
    expect(errors).toEqual(['organisation']);
    // Not remembered, and the in-flight entry is gone: the next request asks again.
    hang = false;
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    expect(calls).toBe(2);
  });

  it('answers 503 when the resolver throws or rejects, without caching it', async () => {
    let failure: 'throw' | 'reject' | undefined = 'throw';
    const { verifier, keys } = createKeygate({
      store: new MemoryKeyStore(),
      onError: () => {},
      resolveOrganisation: (id) => {
        if (failure === 'throw') throw new Error('organisation table missing');
        if (failure === 'reject') return Promise.reject(new Error('connection reset'));
        return { id };
      },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    failure = 'reject';
    expect(codeOf(await verifier.verify(key))).toBe('key_store_unavailable');
    failure = undefined;
    expect(codeOf(await verifier.verify(key))).toBe('ok');
  });

  it('counts the store lookup and the resolver against one deadline', async () => {
    vi.useFakeTimers();
    const store = new MemoryKeyStore();
    const find = store.findByHash.bind(store);
    store.findByHash = async (hash) => {
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 0.75));
      return find(hash);
    };
    const { verifier, keys } = createKeygate({
      store,
      storeTimeoutMs: TIMEOUT_MS,
      onError: () => {},
      resolveOrganisation: async (id) => {
        await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 0.75));
        return { id };
      },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    const answer = Promise.resolve(verifier.verify(key));
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(codeOf(await answer)).toBe('key_store_unavailable');
  });
});

describe('verifier: close() is bounded whatever the store does', () => {
  it('finishes within the store timeout when the last-used write never settles', async () => {
    vi.useFakeTimers();
    const store = new MemoryKeyStore();
    store.recordLastUsed = never;
    const errors: VerifierOperation[] = [];
    const { verifier, keys } = createKeygate({
      store,
      storeTimeoutMs: TIMEOUT_MS,
      onError: (_error, operation) => errors.push(operation),
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    let closed = false;
    void verifier.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS + 1_000);
    expect(closed).toBe(true);
    expect(errors).toContain('last-used');
  });

  it('finishes within the store timeout when subscribing and unsubscribing never settle', async () => {
    vi.useFakeTimers();
    const store = new MemoryKeyStore();
    store.subscribe = never;
    const { verifier } = createKeygate({ store, storeTimeoutMs: TIMEOUT_MS, onError: () => {} });
    let closed = false;
    void verifier.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS + 1_000);
    expect(closed).toBe(true);

    const stuck = new MemoryKeyStore();
    stuck.subscribe = async () => never;
    const second = createKeygate({ store: stuck, storeTimeoutMs: TIMEOUT_MS, onError: () => {} });
    await second.verifier.ready;
    let secondClosed = false;
    void second.verifier.close().then(() => {
      secondClosed = true;
    });
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS + 1_000);
    expect(secondClosed).toBe(true);
  });

  it('gives every last-used write a deadline, keeping the batch for the next flush', async () => {
    vi.useFakeTimers();
    const store = new MemoryKeyStore();
    const record = store.recordLastUsed.bind(store);
    let stalled = true;
    store.recordLastUsed = (entries) => (stalled ? never() : record(entries));
    const { verifier, keys } = createKeygate({
      store,
      storeTimeoutMs: TIMEOUT_MS,
      lastUsed: { intervalMs: 1, flushIntervalMs: 100 },
      onError: () => {},
    });
    const { key, record: created } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    await vi.advanceTimersByTimeAsync(100 + TIMEOUT_MS);
    stalled = false;
    await vi.advanceTimersByTimeAsync(200);
    expect((await store.findById(created.id))?.lastUsedAt).toBeInstanceOf(Date);
    await verifier.close();
  });
});

describe('verifier: an invalidation channel that drops and comes back', () => {
  it('reports the loss and empties its cache once the channel is back', async () => {
    const store: DroppingStore & KeyStore = new DroppingStore();
    const errors: VerifierOperation[] = [];
    const { verifier, keys } = createKeygate({
      store,
      onError: (_error, operation) => errors.push(operation),
    });
    await verifier.ready;
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(codeOf(await verifier.verify(key))).toBe('ok');
    expect(verifier.verify(key)).not.toBeInstanceOf(Promise); // cached
    expect(store.monitors).toHaveLength(1);
    store.monitors[0]!.onLost?.(new Error('connection reset'));
    expect(errors).toEqual(['subscribe']);
    // While the channel is down the cache still answers (the store may be down too).
    expect(verifier.verify(key)).not.toBeInstanceOf(Promise);
    store.monitors[0]!.onResync?.();
    expect(verifier.verify(key)).toBeInstanceOf(Promise); // emptied: read from the store again
    await verifier.close();
  });
});
