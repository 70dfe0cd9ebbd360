// Verification and store events on node:diagnostics_channel: one message per verification with
// the right outcome and cache state, none built while nobody listens, store failures and
// subscription drops on their own channel, and never a key in any message.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DroppingStore } from './dropping-store.test-fixture.js';
import type { KeyStore } from './key-store.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';
import {
  STORE_CHANNEL,
  type StoreEventMessage,
  VERIFY_CHANNEL,
  type VerifyEventMessage,
  verifyEvents,
} from './verify-events.js';

const listeners: [string, (message: unknown) => void][] = [];

function listen<T>(name: string): T[] {
  const messages: T[] = [];
  const listener = (message: unknown) => void messages.push(message as T);
  subscribe(name, listener);
  listeners.push([name, listener]);
  return messages;
}

afterEach(() => {
  for (const [name, listener] of listeners.splice(0)) unsubscribe(name, listener);
  vi.restoreAllMocks();
});

function keygateFor(store: KeyStore = new MemoryKeyStore()) {
  return createKeygate({
    store,
    environments: ['live'],
    lastUsed: false,
    refusalBudget: false,
    resolveOrganisation: (id) => (id === 'gone' ? null : { id }),
  });
}

describe('keygate:verify', () => {
  it('builds no message while nobody listens', async () => {
    const factory = vi.spyOn(verifyEvents, 'message');
    const { verifier, keys } = keygateFor();
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    await verifier.verify(key); // miss
    verifier.verify(key); // hit
    verifier.verify(undefined);
    verifier.verify('sk_live_nonsense');
    expect(factory).not.toHaveBeenCalled();
    const messages = listen<VerifyEventMessage>(VERIFY_CHANNEL);
    verifier.verify(key);
    expect(factory).toHaveBeenCalledOnce();
    expect(messages).toHaveLength(1);
    await verifier.close();
  });

  it('publishes one message per verification with its outcome, cache state and times', async () => {
    const messages = listen<VerifyEventMessage>(VERIFY_CHANNEL);
    const { verifier, keys } = keygateFor();
    const { key, record } = await keys.create({
      organisationId: 'org',
      name: 'a',
      scopes: ['sites:read'],
    });
    const { key: revoked, record: revokedRecord } = await keys.create({
      organisationId: 'org',
      name: 'r',
    });
    await keys.revoke(revokedRecord.id);
    const { key: orphan } = await keys.create({ organisationId: 'gone', name: 'o' });
    const { key: testKey } = await keys.create({
      organisationId: 'org',
      name: 't',
      environment: 'test',
    });
    const unknown = (
      await createKeygate({ store: new MemoryKeyStore() }).keys.create({
        organisationId: 'org',
        name: 'x',
      })
    ).key;

    await verifier.verify(key); // miss, read
    await verifier.verify(key); // hit
    await verifier.verify(key, { requiredScopes: ['sites:write'] }); // hit, refused
    await verifier.verify(revoked); // miss
    await verifier.verify(revoked); // negative hit
    await verifier.verify(unknown); // miss
    await verifier.verify(unknown); // negative hit
    await verifier.verify(orphan);
    await verifier.verify(testKey);
    await verifier.verify('sk_live_short');
    await verifier.verify(undefined);
    await verifier.verify([key, key]);

    const seen = messages.map(({ outcome, cache, keyId, storeMs }) => ({
      outcome,
      cache,
      keyId,
      read: storeMs !== null,
    }));
    expect(seen).toEqual([
      { outcome: 'ok', cache: 'miss', keyId: record.id, read: true },
      { outcome: 'ok', cache: 'hit', keyId: record.id, read: false },
      { outcome: 'insufficient_scope', cache: 'hit', keyId: record.id, read: false },
      { outcome: 'revoked_api_key', cache: 'miss', keyId: revokedRecord.id, read: true },
      { outcome: 'revoked_api_key', cache: 'negative-hit', keyId: revokedRecord.id, read: false },
      { outcome: 'invalid_api_key', cache: 'miss', keyId: null, read: true },
      { outcome: 'invalid_api_key', cache: 'negative-hit', keyId: null, read: false },
      { outcome: 'missing_organisation', cache: 'miss', keyId: expect.any(String), read: true },
      { outcome: 'wrong_environment', cache: 'miss', keyId: null, read: false },
      { outcome: 'malformed_api_key', cache: 'miss', keyId: null, read: false },
      { outcome: 'missing_api_key', cache: 'miss', keyId: null, read: false },
      { outcome: 'malformed_api_key', cache: 'miss', keyId: null, read: false },
    ]);
    expect(messages[0]).toMatchObject({ organisationId: 'org', environment: 'live' });
    expect(messages[3]).toMatchObject({ organisationId: null, environment: null });
    for (const message of messages) {
      expect(message.totalMs).toBeGreaterThanOrEqual(0);
      if (message.storeMs !== null) expect(message.totalMs).toBeGreaterThanOrEqual(message.storeMs);
    }
    const text = JSON.stringify(messages);
    for (const secret of [key, revoked, orphan, testKey, unknown]) {
      expect(text).not.toContain(secret.slice(14));
    }
    await verifier.close();
  });

  it('reports rate limits, credits and a failing store', async () => {
    const messages = listen<VerifyEventMessage>(VERIFY_CHANNEL);
    const store = new MemoryKeyStore();
    const { verifier, keys } = createKeygate({
      store,
      lastUsed: false,
      onError: () => {},
      rateLimit: { limit: 1, windowMs: 60_000 },
    });
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    const { key: metered } = await keys.create({
      organisationId: 'org',
      name: 'm',
      credits: { remaining: 0 },
    });
    await verifier.verify(key);
    await verifier.verify(key);
    await verifier.verify(metered);
    const { key: other } = await keys.create({ organisationId: 'org', name: 'b' });
    store.findByHash = async () => {
      throw new Error('store down');
    };
    await verifier.verify(other);
    expect(messages.map((message) => `${message.outcome}/${message.cache}`)).toEqual([
      'ok/miss',
      'rate_limited/hit',
      'usage_exceeded/miss',
      'key_store_unavailable/miss',
    ]);
    await verifier.close();
  });
});

describe('keygate:store', () => {
  it('publishes store failures and the subscription’s loss and return', async () => {
    const messages = listen<StoreEventMessage>(STORE_CHANNEL);
    const store = new DroppingStore();
    const { verifier, keys } = createKeygate({ store, lastUsed: false, onError: () => {} });
    await verifier.ready;
    const { key } = await keys.create({ organisationId: 'org', name: 'a' });
    store.findByHash = async () => {
      throw new Error('store down');
    };
    await verifier.verify(key);
    store.monitors[0]!.onLost?.(new Error('connection reset'));
    store.monitors[0]!.onResync?.();
    expect(messages).toEqual([
      { event: 'failure', operation: 'lookup', error: 'store down' },
      { event: 'subscription-lost', error: 'connection reset' },
      { event: 'failure', operation: 'subscribe', error: 'connection reset' },
      { event: 'subscription-resync' },
    ]);
    await verifier.close();
  });
});
