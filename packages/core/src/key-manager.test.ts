import { afterEach, describe, expect, it, vi } from 'vitest';
import { isApiKeyError } from './errors.js';
import { createKeyManager } from './key-manager.js';
import { codeOf, setup } from './key-manager.test-fixture.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { parseApiKey } from './parse.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('KeyManager', () => {
  it('creates a key shown once, storing only its digest and display prefix', async () => {
    const { keys, store } = setup();
    const { key, record } = await keys.create({
      organisationId: 'org_1',
      name: '  Production API ',
      scopes: ['sites:read', 'sites:read'],
      metadata: { owner: 'ops' },
    });
    expect(parseApiKey(key).ok).toBe(true);
    expect(record).toMatchObject({
      organisationId: 'org_1',
      name: 'Production API',
      prefix: key.slice(0, 14),
      environment: 'live',
      scopes: ['sites:read'],
      metadata: { owner: 'ops' },
      status: 'active',
      lastUsedAt: null,
      expiresAt: null,
    });
    expect(record).not.toHaveProperty('hash');
    const stored = await store.findById(record.id);
    expect(stored?.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(stored)).not.toContain(key.slice(14));
  });

  it('lists an organisation’s keys newest first, without digests', async () => {
    vi.useFakeTimers();
    const { keys } = setup();
    const first = await keys.create({ organisationId: 'org', name: 'first' });
    vi.advanceTimersByTime(1000);
    const second = await keys.create({ organisationId: 'org', name: 'second' });
    await keys.create({ organisationId: 'other', name: 'not mine' });
    const page = await keys.list('org');
    expect(page.keys.map((k) => k.name)).toEqual(['second', 'first']);
    expect(page.keys.map((k) => k.id)).toEqual([second.record.id, first.record.id]);
    for (const summary of page.keys) expect(summary).not.toHaveProperty('hash');
    expect(page.nextCursor).toBeNull();
  });

  it('renames and sets or clears an expiry', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    expect((await keys.rename(record.id, 'b')).name).toBe('b');
    const when = new Date(Date.now() + 60_000);
    expect((await keys.setExpiry(record.id, when)).expiresAt).toEqual(when);
    expect((await keys.setExpiry(record.id, null)).expiresAt).toBeNull();
  });

  it('revokes once, keeping the first revocation time', async () => {
    vi.useFakeTimers();
    const { keys, verifier } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    const revoked = await keys.revoke(record.id);
    expect(revoked.status).toBe('revoked');
    vi.advanceTimersByTime(5000);
    expect((await keys.revoke(record.id)).revokedAt).toEqual(revoked.revokedAt);
    expect(await codeOf(verifier, key)).toBe('revoked_api_key');
  });

  it('deletes a key, which then reads as invalid, and says false for a second delete', async () => {
    const { keys, verifier } = setup();
    const { key, record } = await keys.create({ organisationId: 'org', name: 'a' });
    expect(await codeOf(verifier, key)).toBe('ok');
    expect(await keys.delete(record.id)).toBe(true);
    expect(await keys.delete(record.id)).toBe(false);
    expect(await keys.get(record.id)).toBeNull();
    expect(await codeOf(verifier, key)).toBe('invalid_api_key');
  });

  it('rotates at once: the successor works, the old key is revoked and points to it', async () => {
    const { keys, verifier } = setup();
    const old = await keys.create({
      organisationId: 'org',
      name: 'a',
      scopes: ['x'],
      metadata: { m: 1 },
    });
    await verifier.verify(old.key);
    const rotated = await keys.rotate(old.record.id);
    expect(rotated.key).not.toBe(old.key);
    expect(rotated.record).toMatchObject({
      organisationId: 'org',
      name: 'a',
      scopes: ['x'],
      metadata: { m: 1 },
    });
    expect(rotated.previous).toMatchObject({ status: 'revoked', replacedById: rotated.record.id });
    expect(await codeOf(verifier, old.key)).toBe('revoked_api_key');
    expect(await codeOf(verifier, rotated.key)).toBe('ok');
  });

  it('rotates with a grace period: the old key works until it ends, then is expired', async () => {
    vi.useFakeTimers();
    const { keys, verifier } = setup();
    const old = await keys.create({ organisationId: 'org', name: 'a' });
    const rotated = await keys.rotate(old.record.id, { gracePeriodMs: 60_000 });
    expect(rotated.previous.status).toBe('active');
    expect(rotated.previous.expiresAt?.getTime()).toBe(Date.now() + 60_000);
    expect(await codeOf(verifier, old.key)).toBe('ok');
    vi.advanceTimersByTime(59_999);
    expect(await codeOf(verifier, old.key)).toBe('ok');
    vi.advanceTimersByTime(1);
    expect(await codeOf(verifier, old.key)).toBe('expired_api_key');
    expect(await codeOf(verifier, rotated.key)).toBe('ok');
  });

  it('never extends an expiry through a grace period', async () => {
    const { keys } = setup();
    const soon = new Date(Date.now() + 1000);
    const old = await keys.create({ organisationId: 'org', name: 'a', expiresAt: soon });
    const rotated = await keys.rotate(old.record.id, { gracePeriodMs: 3_600_000 });
    expect(rotated.previous.expiresAt).toEqual(soon);
  });

  it('refuses to rotate a key twice: its successor is the one to rotate', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    const rotated = await keys.rotate(record.id, { gracePeriodMs: 60_000 });
    await expect(keys.rotate(record.id)).rejects.toMatchObject({ code: 'api_key_not_active' });
    await expect(keys.rotate(rotated.record.id)).resolves.toMatchObject({
      previous: { id: rotated.record.id },
    });
  });

  it('refuses to rotate a revoked key, or an unknown one', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    await keys.revoke(record.id);
    await expect(keys.rotate(record.id)).rejects.toMatchObject({ code: 'api_key_not_active' });
    await expect(keys.rotate('nope')).rejects.toMatchObject({
      code: 'api_key_not_found',
      keyId: 'nope',
    });
    await expect(keys.revoke('nope')).rejects.toMatchObject({ code: 'api_key_not_found' });
  });

  it.each([
    [
      { organisationId: 'org', name: '' },
      { field: 'name', given: '""', limit: 200 },
    ],
    [
      { organisationId: 'org', name: 'x'.repeat(201) },
      { field: 'name', limit: 200 },
    ],
    [
      { organisationId: '', name: 'a' },
      { field: 'organisationId', limit: 200 },
    ],
    [
      { organisationId: 'org', name: 'a', environment: 'prod' },
      { field: 'environment', given: '"prod"', limit: 'live, test' },
    ],
    [{ organisationId: 'org', name: 'a', expiresAt: new Date('nope') }, { field: 'expiresAt' }],
    [
      { organisationId: 'org', name: 'a', scopes: ['has space'] },
      { field: 'scopes', given: '"has space"' },
    ],
    [{ organisationId: 'org', name: 'a', metadata: [] }, { field: 'metadata' }],
    [
      { organisationId: 'org', name: 'a', metadata: { big: 'x'.repeat(9000) } },
      { field: 'metadata', limit: 8192 },
    ],
  ])('refuses bad input %# with a typed error before writing anything', async (input, fields) => {
    const { keys, store } = setup();
    const error = await keys.create(input as never).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'invalid_key_input', status: 400, ...fields });
    expect(isApiKeyError(error)).toBe(true);
    // Messages are for the person who typed the value: no internal field names.
    expect((error as Error).message).not.toMatch(/expiresAt|gracePeriodMs|organisationId|@keygate/);
    expect(store.size).toBe(0);
  });

  it('refuses a grace period outside 0..30 days', async () => {
    const { keys } = setup();
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    for (const gracePeriodMs of [-1, 31 * 86_400_000, 1.5]) {
      const error = await keys.rotate(record.id, { gracePeriodMs }).catch((thrown) => thrown);
      expect(error).toMatchObject({
        code: 'invalid_key_input',
        field: 'gracePeriodMs',
        limit: '30d',
      });
      expect((error as Error).message).toBe('The grace period must be from 0 to 30 days.');
    }
  });

  it('works without a verifier, on a store alone', async () => {
    const keys = createKeyManager({ store: new MemoryKeyStore() });
    const { record } = await keys.create({ organisationId: 'org', name: 'a' });
    expect((await keys.get(record.id))?.name).toBe('a');
    expect(() => createKeyManager({})).toThrow(TypeError);
  });
});
