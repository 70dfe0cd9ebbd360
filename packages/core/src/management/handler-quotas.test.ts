// The management handler sets, changes, removes and shows a key's rate limit and credits; a bad
// shape is a 400 that names the field, never a 500.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createKeygate, type Keygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { createManagementHandler, type ManagementHandler } from './handler.js';

const ORG = { organisationId: 'org_1' };
let keygate: Keygate;
let manage: ManagementHandler;

beforeEach(() => {
  keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
  manage = createManagementHandler({ keys: keygate.keys });
});

afterEach(() => keygate.close());

function call(method: string, path: string, body: unknown) {
  return manage(
    new Request(`http://admin.test${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    ORG,
  );
}

it('creates a key with a rate limit and credits, shows them, and changes or removes them', async () => {
  const created = await call('POST', '/keys', {
    name: 'Metered',
    rateLimit: { limit: 100, windowMs: 60_000 },
    credits: { remaining: 500, refill: { amount: 500, intervalMs: 86_400_000 } },
  });
  expect(created.status).toBe(201);
  const { key, record } = (await created.json()) as {
    key: string;
    record: { id: string; rateLimit: unknown; credits: { remaining: number; refill: unknown } };
  };
  expect(record.rateLimit).toEqual({ limit: 100, windowMs: 60_000 });
  expect(record.credits).toMatchObject({
    remaining: 500,
    refill: { amount: 500, intervalMs: 86_400_000 },
  });
  expect(await keygate.verifier.verify(key)).toMatchObject({ quota: { creditsRemaining: 499 } });

  const refillOnly = await call('PATCH', `/keys/${record.id}`, { credits: { refill: null } });
  expect(refillOnly.status).toBe(200);
  expect(((await refillOnly.json()) as { credits: unknown }).credits).toMatchObject({
    remaining: 499,
    refill: null,
  });
  const removed = await call('PATCH', `/keys/${record.id}`, { rateLimit: null, credits: null });
  expect(await removed.json()).toMatchObject({ rateLimit: null, credits: null });
});

it('answers 400 for a rate limit or credits of the wrong shape', async () => {
  for (const body of [
    { name: 'x', rateLimit: { limit: 0, windowMs: 60_000 } },
    { name: 'x', rateLimit: 'lots' },
    { name: 'x', credits: { remaining: -1 } },
    { name: 'x', credits: { remaining: 5, refill: { amount: 5, intervalMs: 10 } } },
  ]) {
    const response = await call('POST', '/keys', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/rateLimit|credits/);
  }
});

it('PATCH changes name, rate limit and credits in one write, and the verifier applies them at once', async () => {
  const created = await call('POST', '/keys', { name: 'Plain' });
  const { key, record } = (await created.json()) as { key: string; record: { id: string } };
  const patched = await call('PATCH', `/keys/${record.id}`, {
    name: 'Metered now',
    rateLimit: { limit: 3, windowMs: 60_000 },
    credits: { remaining: 2, refill: { amount: 10, intervalMs: 3_600_000 } },
  });
  expect(patched.status).toBe(200);
  expect(await patched.json()).toMatchObject({
    name: 'Metered now',
    rateLimit: { limit: 3, windowMs: 60_000 },
    credits: { remaining: 2, refill: { amount: 10, intervalMs: 3_600_000 } },
  });
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await keygate.verifier.verify(key));
  expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual([
    'ok',
    'ok',
    'usage_exceeded',
  ]);
  // The rate limit applies too: a fresh balance, and the fourth request in the window is refused.
  await call('PATCH', `/keys/${record.id}`, { credits: { remaining: 100 } });
  const fourth = await keygate.verifier.verify(key);
  expect(fourth.ok ? 'ok' : fourth.error.code).toBe('rate_limited');
});

it('answers 400 naming credits for a refill alone on a key without credits, and writes nothing', async () => {
  const created = await call('POST', '/keys', {
    name: 'Plain',
    rateLimit: { limit: 5, windowMs: 1000 },
  });
  const { record } = (await created.json()) as { record: { id: string } };
  const response = await call('PATCH', `/keys/${record.id}`, {
    rateLimit: null,
    credits: { refill: { amount: 10, intervalMs: 3_600_000 } },
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { detail: string }).detail).toMatch(/credits\.remaining/);
  const shown = await call('GET', `/keys/${record.id}`, undefined);
  expect(await shown.json()).toMatchObject({
    rateLimit: { limit: 5, windowMs: 1000 },
    credits: null,
  });
});
