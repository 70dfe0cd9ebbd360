// The quota part of the KeyStore conformance suite (docs/quotas.md): a record's rate limit and
// credits survive the store, and `consumeCredits` is atomic, never negative and refills on time.
import { expect, it } from 'vitest';
import type { KeyStore } from '../key-store.js';
import type { ApiKeyCredits } from '../quotas/credits.js';
import { makeTestRecord } from './test-record.js';

/** What the credit tests need from the suite that registers them. */
export interface CreditConformanceContext {
  readonly open: () => Promise<KeyStore>;
  readonly peerOf: (store: KeyStore) => Promise<KeyStore>;
  readonly timeout: number;
}

const MINUTE = 60_000;
// A fixed clock: whole milliseconds every store keeps, far from any real "now".
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0, 0);

/** Registers the credit and rate-limit conformance tests (inside the suite's `describe`). */
export function runCreditConformance({ open, peerOf, timeout }: CreditConformanceContext): void {
  it('keeps a rate limit and credits with refill, and updates or removes them', {
    timeout,
  }, async () => {
    const store = await open();
    const credits: ApiKeyCredits = {
      remaining: 500,
      refill: { amount: 1000, intervalMs: 86_400_000 },
      refilledAt: new Date(T0),
    };
    const record = makeTestRecord({ rateLimit: { limit: 100, windowMs: MINUTE }, credits });
    await store.insert(record);
    expect(await store.findById(record.id)).toEqual(record);
    expect(await store.findByHash(record.hash)).toEqual(record);

    const noRefill = { remaining: 7, refill: null, refilledAt: new Date(T0 + 1) };
    const changed = await store.update(record.id, {
      rateLimit: { limit: 5, windowMs: 1000 },
      credits: noRefill,
    });
    expect(changed).toEqual({
      ...record,
      rateLimit: { limit: 5, windowMs: 1000 },
      credits: noRefill,
    });
    // An update that names neither keeps both.
    expect((await store.update(record.id, { name: 'renamed' }))?.credits).toEqual(noRefill);
    const cleared = await store.update(record.id, { rateLimit: null, credits: null });
    expect(cleared).toEqual({ ...record, name: 'renamed', rateLimit: null, credits: null });
    expect(await store.findById(record.id)).toEqual(cleared);
  });

  it('changes only the refill with creditRefill: credits taken stay taken; nothing on a key without credits', {
    timeout,
  }, async () => {
    const store = await open();
    const record = makeTestRecord({
      credits: { remaining: 10, refill: null, refilledAt: new Date(T0) },
    });
    await store.insert(record);
    expect((await store.consumeCredits(record.id, 3, new Date(T0 + 1)))?.remaining).toBe(7);
    const refill = { amount: 50, intervalMs: 3_600_000 };
    const changed = await store.update(record.id, { creditRefill: refill });
    expect(changed?.credits).toEqual({ remaining: 7, refill, refilledAt: new Date(T0) });
    const removed = await store.update(record.id, { creditRefill: null });
    expect(removed?.credits).toEqual({ remaining: 7, refill: null, refilledAt: new Date(T0) });
    const plain = makeTestRecord();
    await store.insert(plain);
    expect((await store.update(plain.id, { creditRefill: refill }))?.credits).toBeNull();
    expect(await store.consumeCredits(plain.id, 1, new Date(T0))).toBeNull();
  });

  it('answers null when taking credits from an unknown key or one without credits', {
    timeout,
  }, async () => {
    const store = await open();
    expect(await store.consumeCredits(crypto.randomUUID(), 1, new Date(T0))).toBeNull();
    const record = makeTestRecord();
    await store.insert(record);
    expect(await store.consumeCredits(record.id, 1, new Date(T0))).toBeNull();
    expect(await store.findById(record.id)).toEqual(record);
  });

  it('takes credits down to 0 and never below, refusing a cost larger than what is left', {
    timeout,
  }, async () => {
    const store = await open();
    const record = makeTestRecord({
      credits: { remaining: 3, refill: null, refilledAt: new Date(T0) },
    });
    await store.insert(record);
    const at = new Date(T0 + 5 * MINUTE);
    expect(await store.consumeCredits(record.id, 2, at)).toEqual({
      ok: true,
      remaining: 1,
      nextRefillAt: null,
    });
    expect(await store.consumeCredits(record.id, 2, at)).toEqual({
      ok: false,
      remaining: 1,
      nextRefillAt: null,
    });
    expect(await store.consumeCredits(record.id, 1, at)).toEqual({
      ok: true,
      remaining: 0,
      nextRefillAt: null,
    });
    expect(await store.consumeCredits(record.id, 1, at)).toMatchObject({ ok: false, remaining: 0 });
    const after = await store.findById(record.id);
    expect(after).toEqual({ ...record, credits: { ...record.credits!, remaining: 0 } });
  });

  it('takes exactly 500 of 500 credits from 1,000 requests, 50 in flight over two instances', {
    timeout: Math.max(timeout, 60_000),
  }, async () => {
    const store = await open();
    const peer = await peerOf(store);
    const record = makeTestRecord({
      credits: { remaining: 500, refill: null, refilledAt: new Date(T0) },
    });
    await store.insert(record);
    let next = 0;
    let accepted = 0;
    let lowest = Number.POSITIVE_INFINITY;
    const worker = async (instance: KeyStore): Promise<void> => {
      while (next < 1000) {
        next++;
        const answer = await instance.consumeCredits(record.id, 1, new Date(T0 + MINUTE));
        expect(answer).not.toBeNull();
        if (answer!.ok) accepted++;
        lowest = Math.min(lowest, answer!.remaining);
      }
    };
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => worker(index % 2 === 0 ? store : peer)),
    );
    expect(accepted).toBe(500);
    expect(lowest).toBe(0);
    expect((await peer.findById(record.id))?.credits?.remaining).toBe(0);
  });

  it('refills at the interval boundary, on the original schedule, never lowering a balance', {
    timeout,
  }, async () => {
    const store = await open();
    const record = makeTestRecord({
      credits: {
        remaining: 0,
        refill: { amount: 10, intervalMs: MINUTE },
        refilledAt: new Date(T0),
      },
    });
    await store.insert(record);
    expect(await store.consumeCredits(record.id, 1, new Date(T0 + MINUTE - 1))).toEqual({
      ok: false,
      remaining: 0,
      nextRefillAt: new Date(T0 + MINUTE),
    });
    expect(await store.consumeCredits(record.id, 1, new Date(T0 + MINUTE))).toEqual({
      ok: true,
      remaining: 9,
      nextRefillAt: new Date(T0 + 2 * MINUTE),
    });
    // Three and a half intervals later: one refill (to 10), due times stay on the minute.
    expect(await store.consumeCredits(record.id, 4, new Date(T0 + 4.5 * MINUTE))).toEqual({
      ok: true,
      remaining: 6,
      nextRefillAt: new Date(T0 + 5 * MINUTE),
    });
    const stored = await store.findById(record.id);
    expect(stored?.credits).toEqual({
      remaining: 6,
      refill: { amount: 10, intervalMs: MINUTE },
      refilledAt: new Date(T0 + 4 * MINUTE),
    });
    // A balance above the refill amount is kept at a refill.
    await store.update(record.id, {
      credits: {
        remaining: 25,
        refill: { amount: 10, intervalMs: MINUTE },
        refilledAt: new Date(T0),
      },
    });
    expect(await store.consumeCredits(record.id, 1, new Date(T0 + 2 * MINUTE))).toMatchObject({
      ok: true,
      remaining: 24,
    });
  });

  it('keeps other fields when taking credits', { timeout }, async () => {
    const store = await open();
    const record = makeTestRecord({
      rateLimit: { limit: 10, windowMs: MINUTE },
      credits: { remaining: 2, refill: null, refilledAt: new Date(T0) },
    });
    await store.insert(record);
    const lastUsedAt = new Date(T0 + 3);
    await store.recordLastUsed([{ id: record.id, lastUsedAt }]);
    await store.consumeCredits(record.id, 1, new Date(T0 + 10));
    expect(await store.findByHash(record.hash)).toEqual({
      ...record,
      lastUsedAt,
      credits: { ...record.credits!, remaining: 1 },
    });
  });
}
