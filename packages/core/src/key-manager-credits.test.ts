// keys.update on credits: a new refill alone keeps the balance the store holds at the write, so a
// request that takes credits between the key manager's read and its write is never undone.
import { expect, it } from 'vitest';
import { createKeyManager } from './key-manager.js';
import type { ApiKeyUpdateCondition } from './key-store.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { ApiKeyRecord, ApiKeyRecordChanges } from './record.js';

// A request lands between the read and the write: it takes 4 credits just before the update.
class RequestBeforeWrite extends MemoryKeyStore {
  override async update(
    id: string,
    changes: ApiKeyRecordChanges,
    condition?: ApiKeyUpdateCondition,
  ): Promise<ApiKeyRecord | null> {
    await this.consumeCredits(id, 4, new Date());
    return super.update(id, changes, condition);
  }
}

it('a refill change does not give back credits taken since the key was read', async () => {
  const store = new RequestBeforeWrite();
  const keys = createKeyManager({ store });
  const { record } = await keys.create({
    organisationId: 'org',
    name: 'Metered',
    credits: { remaining: 10 },
  });
  const refill = { amount: 100, intervalMs: 86_400_000 };
  const after = await keys.update(record.id, { credits: { refill } });
  expect(after.credits).toEqual({ remaining: 6, refill, refilledAt: record.credits!.refilledAt });
  expect((await store.findById(record.id))?.credits?.remaining).toBe(6);
});

it('a new balance replaces what is left, and keeps the refill', async () => {
  const store = new RequestBeforeWrite();
  const keys = createKeyManager({ store });
  const refill = { amount: 100, intervalMs: 86_400_000 };
  const { record } = await keys.create({
    organisationId: 'org',
    name: 'Metered',
    credits: { remaining: 10, refill },
  });
  const after = await keys.update(record.id, { credits: { remaining: 50 } });
  expect(after.credits).toMatchObject({ remaining: 50, refill });
});
