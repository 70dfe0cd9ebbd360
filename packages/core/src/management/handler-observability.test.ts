// The management handler's usage and audit endpoints: the shapes the page builds on, the
// organisation boundary, and the actor and address of the scope recorded on every change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../audit/memory-audit-sink.js';
import { createKeygate, type Keygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { usageDaysUntil } from '../usage/usage-entry.js';
import { createManagementHandler, type ManagementHandler } from './handler.js';

const BASE = 'http://admin.test/admin/api';
const ADMIN = { organisationId: 'org_1', actor: 'admin:tok_1', ip: '203.0.113.9' };

let keygate: Keygate;
let manage: ManagementHandler;

beforeEach(() => {
  keygate = createKeygate({
    store: new MemoryKeyStore(),
    audit: new MemoryAuditSink(),
    lastUsed: false,
  });
  manage = createManagementHandler({ keys: keygate.keys, basePath: '/admin/api' });
});

afterEach(async () => {
  await keygate.close();
});

async function call(method: string, path: string, body?: unknown, scope: object = ADMIN) {
  const response = await manage(
    new Request(`${BASE}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    scope as typeof ADMIN,
  );
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

describe('GET /keys/:id/usage', () => {
  it('answers the last days oldest first, zero-filled, with today’s counts after a flush', async () => {
    const created = await call('POST', '/keys', { name: 'Chart' });
    const { key, record } = created.body as { key: string; record: { id: string } };
    for (let i = 0; i < 3; i++) await keygate.verifier.verify(key);
    await keygate.verifier.verify(key, { requiredScopes: ['sites:write'] });
    await keygate.verifier.flushUsage();
    const { status, body } = await call('GET', `/keys/${record.id}/usage?days=7`);
    expect(status).toBe(200);
    const dates = usageDaysUntil(Date.now(), 7);
    expect(body.keyId).toBe(record.id);
    expect(body.days.map((day: { date: string }) => day.date)).toEqual(dates);
    expect(body.days.slice(0, 6)).toEqual(
      dates.slice(0, 6).map((date) => ({ date, accepted: 0, refused: 0 })),
    );
    expect(body.days[6]).toEqual({ date: dates[6], accepted: 3, refused: 1 });
    expect((await call('GET', `/keys/${record.id}/usage`)).body.days).toHaveLength(30);
  });

  it('is a 404 for another organisation’s key and a 400 for bad days', async () => {
    const { body } = await call('POST', '/keys', { name: 'Mine' });
    const id = body.record.id as string;
    expect(
      (await call('GET', `/keys/${id}/usage`, undefined, { organisationId: 'org_2' })).status,
    ).toBe(404);
    for (const days of ['0', '367', 'x', '-1']) {
      const answer = await call('GET', `/keys/${id}/usage?days=${days}`);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_request');
    }
    expect((await call('POST', `/keys/${id}/usage`)).status).toBe(405);
  });
});

describe('GET /audit', () => {
  it('lists the organisation’s events with actor and address, newest first, paged', async () => {
    const { body } = await call('POST', '/keys', { name: 'Audited' });
    const id = body.record.id as string;
    await call('PATCH', `/keys/${id}`, { name: 'Renamed' });
    await call('POST', `/keys/${id}/revoke`);
    await call('POST', '/keys', { name: 'Elsewhere' }, { organisationId: 'org_2' });

    const all = await call('GET', '/audit');
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.events.map((event: { action: string }) => event.action).sort()).toEqual([
      'create',
      'revoke',
      'update',
    ]);
    for (const event of all.body.events) {
      expect(Object.keys(event).sort()).toEqual(
        ['action', 'actor', 'at', 'id', 'ip', 'keyId', 'keyPrefix', 'organisationId'].sort(),
      );
      expect(event).toMatchObject({
        keyId: id,
        keyPrefix: body.record.prefix,
        organisationId: 'org_1',
        actor: 'admin:tok_1',
        ip: '203.0.113.9',
      });
      expect(new Date(event.at).toISOString()).toBe(event.at);
    }
    const first = await call('GET', '/audit?limit=2');
    expect(first.body.events).toHaveLength(2);
    const second = await call(
      'GET',
      `/audit?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.events).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect((await call('GET', `/audit?keyId=${id}&since=1h`)).body.events).toHaveLength(3);
    expect((await call('GET', '/audit?keyId=nope')).body.events).toEqual([]);
    expect((await call('GET', '/audit?since=2999-01-01T00:00:00Z')).body.events).toEqual([]);
  });

  it('answers 400 for a bad since, limit or cursor, 405 for other methods', async () => {
    for (const query of ['since=yesterday', 'limit=0', 'limit=1001', 'cursor=nonsense']) {
      const answer = await call('GET', `/audit?${query}`);
      expect(answer.status, query).toBe(400);
    }
    expect((await call('POST', '/audit')).status).toBe(405);
  });

  it('answers an empty list when the key manager has no audit sink', async () => {
    const plain = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
    const handler = createManagementHandler({ keys: plain.keys });
    const response = await handler(new Request('http://x/audit'), ADMIN);
    expect(await response.json()).toEqual({ events: [], nextCursor: null });
    await plain.close();
  });
});
