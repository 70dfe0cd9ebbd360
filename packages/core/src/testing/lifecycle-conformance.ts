// Conformance for the key lifecycle: the disabled state, and conditional updates that make
// rotation and revocation atomic (of concurrent rotations of one key, exactly one is written).
import { expect, it } from 'vitest';
import type { InvalidationEvent, KeyStore } from '../key-store.js';
import { makeTestRecord, waitFor } from './test-record.js';

/** What the lifecycle tests need from the suite that registers them. */
export interface LifecycleConformanceContext {
  readonly open: () => Promise<KeyStore>;
  /** A second instance on the same data (another server), or the same store. */
  readonly peerOf: (store: KeyStore) => Promise<KeyStore>;
  readonly timeout: number;
}

/** Registers the lifecycle tests inside the caller's `describe`. */
export function runLifecycleConformance({ open, peerOf, timeout }: LifecycleConformanceContext) {
  it('keeps disabledAt: inserted, set and cleared by update, to the millisecond', {
    timeout,
  }, async () => {
    const store = await open();
    const disabledAt = new Date(Date.UTC(2026, 10, 30, 21, 0, 0, 321));
    const record = makeTestRecord({ disabledAt });
    await store.insert(record);
    expect(await store.findByHash(record.hash)).toEqual(record);
    expect(await store.update(record.id, { disabledAt: null })).toEqual({
      ...record,
      disabledAt: null,
    });
    const again = new Date(Date.UTC(2026, 11, 1, 8, 0, 0, 7));
    expect(await store.update(record.id, { disabledAt: again, name: 'Both at once' })).toEqual({
      ...record,
      disabledAt: again,
      name: 'Both at once',
    });
    expect(await store.findById(record.id)).toEqual({
      ...record,
      disabledAt: again,
      name: 'Both at once',
    });
  });

  it('writes a conditional update while the record meets the condition', {
    timeout,
  }, async () => {
    const store = await open();
    const record = makeTestRecord();
    await store.insert(record);
    const updated = await store.update(
      record.id,
      { replacedById: 'successor', expiresAt: new Date(Date.UTC(2031, 0, 1)) },
      { replacedById: null, revokedAt: null },
    );
    expect(updated).toEqual({
      ...record,
      replacedById: 'successor',
      expiresAt: new Date(Date.UTC(2031, 0, 1)),
    });
  });

  it('refuses a conditional update of a rotated or revoked record, writing nothing', {
    timeout,
  }, async () => {
    const store = await open();
    const rotated = makeTestRecord({ replacedById: 'successor' });
    const revoked = makeTestRecord({ revokedAt: new Date(Date.UTC(2026, 0, 1)) });
    await store.insert(rotated);
    await store.insert(revoked);
    await expect(
      store.update(rotated.id, { replacedById: 'another', name: 'x' }, { replacedById: null }),
    ).rejects.toMatchObject({ code: 'api_key_not_active' });
    await expect(
      store.update(revoked.id, { revokedAt: new Date(), name: 'x' }, { revokedAt: null }),
    ).rejects.toMatchObject({ code: 'api_key_not_active' });
    expect(await store.findById(rotated.id)).toEqual(rotated);
    expect(await store.findByHash(revoked.hash)).toEqual(revoked);
    // A condition on a field the record does meet does not stand in the way.
    expect(await store.update(rotated.id, { name: 'renamed' }, { revokedAt: null })).toEqual({
      ...rotated,
      name: 'renamed',
    });
  });

  it('answers null for a conditional update of an unknown id', { timeout }, async () => {
    const store = await open();
    const id = crypto.randomUUID();
    expect(await store.update(id, { name: 'ghost' }, { replacedById: null })).toBeNull();
    expect(await store.findById(id)).toBeNull();
  });

  it('lets exactly one of four concurrent conditional updates through, on two instances', {
    timeout,
  }, async () => {
    const store = await open();
    const peer = await peerOf(store);
    const record = makeTestRecord();
    await store.insert(record);
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((successor, index) =>
        (index % 2 === 0 ? store : peer).update(
          record.id,
          { replacedById: successor, revokedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, index)) },
          { replacedById: null, revokedAt: null },
        ),
      ),
    );
    const written = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(written).toHaveLength(1);
    expect(refused.map((outcome) => (outcome.reason as { code?: unknown }).code)).toEqual([
      'api_key_not_active',
      'api_key_not_active',
      'api_key_not_active',
    ]);
    const winner = (written[0] as PromiseFulfilledResult<Awaited<ReturnType<KeyStore['update']>>>)
      .value;
    expect(await store.findById(record.id)).toEqual(winner);
  });

  it('publishes no event for a refused conditional update', { timeout }, async () => {
    const store = await open();
    const peer = await peerOf(store);
    if (typeof peer.subscribe !== 'function') return;
    const events: InvalidationEvent[] = [];
    const unsubscribe = await peer.subscribe((event) => events.push(event));
    try {
      const record = makeTestRecord({ replacedById: 'successor' });
      await store.insert(record);
      await expect(
        store.update(record.id, { name: 'refused' }, { replacedById: null }),
      ).rejects.toMatchObject({ code: 'api_key_not_active' });
      await store.update(record.id, { name: 'written' });
      await waitFor(() => events.some((event) => event.id === record.id), timeout / 2);
      // Give a wrongly published first event time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(events.filter((event) => event.id === record.id)).toEqual([
        { id: record.id, hash: record.hash },
      ]);
    } finally {
      await unsubscribe();
    }
  });
}
