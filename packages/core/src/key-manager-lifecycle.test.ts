// The key lifecycle in the key manager: rotation keeps the key's policy and is atomic, keys can
// be updated, disabled and enabled in one write each, and an organisation guard hides other
// organisations' keys.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeOf, setup } from './key-manager.test-fixture.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { ApiKeyRecord, ApiKeyRecordChanges } from './record.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('rotation', () => {
  it('keeps the expiry instant, scopes, metadata, environment and organisation', async () => {
    const { keys } = setup();
    const expiresAt = new Date(Date.now() + 2 * 3_600_000);
    const policy = {
      organisationId: 'org',
      name: 'CI',
      environment: 'test',
      expiresAt,
      scopes: ['sites:read'],
      metadata: { team: 'ops' },
    };
    const old = await keys.create(policy);
    const rotated = await keys.rotate(old.record.id);
    expect(rotated.key.startsWith('sk_test_')).toBe(true);
    expect(rotated.record).toMatchObject({ ...policy, status: 'active' });
  });

  it('takes an expiry override, or none', async () => {
    const { keys } = setup();
    const old = await keys.create({
      organisationId: 'org',
      name: 'a',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const later = new Date(Date.now() + 86_400_000);
    const first = await keys.rotate(old.record.id, { expiresAt: later });
    expect(first.record.expiresAt).toEqual(later);
    const second = await keys.rotate(first.record.id, { expiresAt: null });
    expect(second.record.expiresAt).toBeNull();
  });

  it('lets exactly one of four concurrent rotations win; the others get api_key_not_active', async () => {
    const { keys, store, verifier } = setup();
    const old = await keys.create({ organisationId: 'org', name: 'a' });
    const outcomes = await Promise.allSettled(
      [0, 1, 2, 3].map(() => keys.rotate(old.record.id, { gracePeriodMs: 60_000 })),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const outcome of lost) {
      expect(outcome.reason).toMatchObject({ code: 'api_key_not_active' });
    }
    // Only the winner's successor exists and works: the losers' successors were taken back.
    const page = await keys.list('org');
    expect(page.keys).toHaveLength(2);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof keys.rotate>>>)
      .value;
    expect((await store.findById(old.record.id))?.replacedById).toBe(winner.record.id);
    expect(await codeOf(verifier, winner.key)).toBe('ok');
  });

  it('reads the key once', async () => {
    const store = new MemoryKeyStore();
    const { keys } = setup(store);
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    const reads = vi.spyOn(store, 'findById');
    await keys.rotate(record.id, { gracePeriodMs: 1000 });
    expect(reads).toHaveBeenCalledTimes(1);
  });
});

describe('update', () => {
  it('changes name, expiry, scopes and metadata in one write and one invalidation', async () => {
    const store = new MemoryKeyStore();
    const { keys, verifier } = setup(store);
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a', scopes: ['x'] });
    expect(await codeOf(verifier, key)).toBe('ok');
    const writes = vi.spyOn(store, 'update');
    const reads = vi.spyOn(store, 'findById');
    const events: unknown[] = [];
    await store.subscribe((event) => events.push(event));
    const expiresAt = new Date(Date.now() + 60_000);
    const updated = await keys.update(record.id, {
      name: ' b ',
      expiresAt,
      scopes: ['sites:read'],
      metadata: { plan: 'pro' },
    });
    expect(updated).toMatchObject({
      name: 'b',
      expiresAt,
      scopes: ['sites:read'],
      metadata: { plan: 'pro' },
      status: 'active',
    });
    expect(writes).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(events).toEqual([{ id: record.id, hash: (await store.findById(record.id))?.hash }]);
    const verified = await verifier.verify(key);
    expect(verified.ok && verified.context.scopes).toEqual(['sites:read']);
    expect((await keys.update(record.id, { expiresAt: null })).expiresAt).toBeNull();
  });

  it('disables a key (refused with disabled_api_key at once) and enables it again', async () => {
    vi.useFakeTimers();
    const { keys, verifier } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(await codeOf(verifier, key)).toBe('ok');
    const disabled = await keys.update(record.id, { enabled: false });
    expect(disabled.status).toBe('disabled');
    expect(disabled.disabledAt).toEqual(new Date());
    expect(await codeOf(verifier, key)).toBe('disabled_api_key');
    vi.advanceTimersByTime(5000);
    // Disabling again keeps the first time.
    expect((await keys.update(record.id, { enabled: false })).disabledAt).toEqual(
      disabled.disabledAt,
    );
    const enabled = await keys.update(record.id, { enabled: true });
    expect(enabled).toMatchObject({ status: 'active', disabledAt: null });
    expect(await codeOf(verifier, key)).toBe('ok');
  });

  it('never changes a revoked key: revocation is final', async () => {
    const { keys, verifier } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    await keys.revoke(record.id);
    for (const change of [{ enabled: true }, { name: 'b' }, { expiresAt: null }]) {
      await expect(keys.update(record.id, change)).rejects.toMatchObject({
        code: 'api_key_not_active',
      });
    }
    expect(await codeOf(verifier, key)).toBe('revoked_api_key');
  });

  it('refuses a later expiry for a key in its grace period', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    await keys.rotate(record.id, { gracePeriodMs: 60_000 });
    await expect(keys.update(record.id, { expiresAt: null })).rejects.toMatchObject({
      code: 'api_key_not_active',
    });
    expect((await keys.update(record.id, { name: 'old one' })).name).toBe('old one');
  });

  it('refuses an empty update', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    await expect(keys.update(record.id, {})).rejects.toThrow();
  });

  it('is not undone by a concurrent revocation: the revocation holds', async () => {
    const { keys, store, verifier } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    const outcomes = await Promise.allSettled([
      keys.revoke(record.id),
      keys.update(record.id, { enabled: true, name: 'b' }),
    ]);
    expect(outcomes[0].status).toBe('fulfilled');
    expect((await store.findById(record.id))?.revokedAt).not.toBeNull();
    expect(await codeOf(verifier, key)).toBe('revoked_api_key');
  });
});

describe('the organisation guard', () => {
  it("treats another organisation's key as not found, and changes nothing", async () => {
    const { keys, store } = setup();
    const { record } = await keys.create({ organisationId: 'org_a', name: 'a' });
    const guard = { organisationId: 'org_b' };
    expect(await keys.get(record.id, guard)).toBeNull();
    expect(await keys.delete(record.id, guard)).toBe(false);
    for (const call of [
      () => keys.revoke(record.id, guard),
      () => keys.update(record.id, { name: 'x' }, guard),
      () => keys.rotate(record.id, guard),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'api_key_not_found', keyId: record.id });
    }
    expect(await store.findById(record.id)).toMatchObject({
      name: 'a',
      revokedAt: null,
      replacedById: null,
    });
    expect(store.size).toBe(1);
    expect(await keys.get(record.id, { organisationId: 'org_a' })).not.toBeNull();
  });
});

describe('revocation', () => {
  it('of four concurrent revocations, keeps one time and answers it to all', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    const answers = await Promise.all([0, 1, 2, 3].map(() => keys.revoke(record.id)));
    const times = new Set(answers.map((answer) => answer.revokedAt?.getTime()));
    expect(times.size).toBe(1);
  });
});

// A store that answers every update with "condition failed", as one that lost a race would.
function losingStore(): MemoryKeyStore {
  const store = new MemoryKeyStore();
  const update = store.update.bind(store);
  store.update = async (id: string, changes: ApiKeyRecordChanges, condition) =>
    condition === undefined ? update(id, changes) : Promise.reject(lost());
  return store;
}

function lost(): Error {
  return Object.assign(new Error('lost'), { code: 'api_key_not_active' });
}

describe('a rotation that loses the race in the store', () => {
  it('takes its successor back and says api_key_not_active', async () => {
    const store = losingStore();
    const { keys } = setup(store);
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    await expect(keys.rotate(record.id)).rejects.toMatchObject({ code: 'api_key_not_active' });
    const left: ApiKeyRecord[] = (await store.listByOrganisation('org')).records.slice();
    expect(left.map((r) => r.id)).toEqual([record.id]);
  });
});
