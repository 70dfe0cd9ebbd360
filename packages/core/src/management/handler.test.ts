// The management handler driven with real Fetch requests: statuses, headers and bodies, the
// organisation boundary, and that client mistakes never become a 500.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeygate, type Keygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { createManagementHandler, type ManagementHandler } from './handler.js';

const BASE = 'http://admin.test/admin/api';
const ORG = { organisationId: 'org_1' };
const OTHER_ORG = { organisationId: 'org_2' };

let keygate: Keygate;
let manage: ManagementHandler;

beforeEach(() => {
  keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
  manage = createManagementHandler({ keys: keygate.keys, basePath: '/admin/api' });
});

afterEach(async () => {
  await keygate.close();
});

function call(
  method: string,
  path: string,
  body?: unknown,
  scope = ORG,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return manage(
    new Request(`${BASE}${path}`, {
      method,
      headers,
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
    scope,
  );
}

async function createKey(body: unknown = { name: 'Production API' }, scope = ORG) {
  const response = await call('POST', '/keys', body, scope);
  expect(response.status).toBe(201);
  return (await response.json()) as {
    key: string;
    record: { id: string; prefix: string; status: string; expiresAt: string | null };
  };
}

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as { code: string; status: number; detail: string };
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

describe('create', () => {
  it('returns the key once, with no-store, and a record without a digest', async () => {
    const response = await call('POST', '/keys', { name: '  Production API ' });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { key: string; record: Record<string, unknown> };
    expect(body.key).toMatch(/^sk_live_[A-Za-z0-9_-]{48}$/);
    expect(response.headers.get('location')).toBe(`/admin/api/keys/${body.record.id}`);
    expect(body.record).toMatchObject({
      name: 'Production API',
      prefix: body.key.slice(0, 14),
      environment: 'live',
      status: 'active',
      lastUsedAt: null,
      expiresAt: null,
    });
    expect(body.record).not.toHaveProperty('hash');
    expect(body.record).not.toHaveProperty('hashVersion');
    const verified = await keygate.verifier.verify(body.key);
    expect(verified.ok && verified.context.organisationId).toBe('org_1');
  });

  it('takes an expiry as a duration or a date, and an environment', async () => {
    const before = Date.now();
    const inThirty = await createKey({ name: 'A', expiresIn: '30d' });
    const at = Date.parse(inThirty.record.expiresAt!);
    expect(at - before).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(at - before).toBeLessThan(30 * 86_400_000 + 5_000);
    const dated = await createKey({
      name: 'B',
      expiresAt: '2099-01-01T00:00:00Z',
      environment: 'test',
    });
    expect(dated.record.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    expect(dated.key.startsWith('sk_test_')).toBe(true);
  });

  it.each([
    [{}, /name is required/],
    [{ name: '' }, /name must be/],
    [{ name: 42 }, /name must be/],
    [{ name: 'x'.repeat(201) }, /name must be/],
    [{ name: 'A', expiresIn: 'soon' }, /expiresIn/],
    [{ name: 'A', expiresAt: 'tomorrow' }, /expiresAt must be an ISO 8601 date/],
    [{ name: 'A', expiresAt: '2099-02-30' }, /expiresAt must be an ISO 8601 date that exists/],
    [{ name: 'A', expiresAt: '2099-04-31T10:00:00Z' }, /that exists/],
    [{ name: 'a\u001b[2Jb' }, /name must not contain control characters/],
    [{ name: 'line\nforged row' }, /control characters/],
    [{ name: 'A', expiresAt: '2001-01-01T00:00:00Z' }, /in the future/],
    [{ name: 'A', expiresAt: '2099-01-01', expiresIn: '1d' }, /not both/],
    [{ name: 'A', environment: 'staging' }, /environment must be one of live, test/],
    [{ name: 'A', scopes: 'read' }, /scopes must be an array/],
    [{ name: 'A', scopes: ['no spaces'] }, /^"no spaces" is not a scope/],
    [{ name: 'A', organisationId: 'org_2' }, /Unknown field "organisationId"/],
    [[], /JSON object/],
    ['{not json', /not valid JSON/],
  ])('refuses %j with a 400 that says why', async (body, detail) => {
    const problem = await expectProblem(await call('POST', '/keys', body), 400, 'invalid_request');
    expect(problem.detail).toMatch(detail);
    expect((await keygate.keys.list('org_1')).keys).toHaveLength(0);
  });

  it('refuses a body that is not JSON (415), too large (413) or missing (400)', async () => {
    await expectProblem(
      await call('POST', '/keys', 'name=A', ORG, {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    );
    await expectProblem(
      await call('POST', '/keys', { name: 'x'.repeat(20_000) }),
      413,
      'payload_too_large',
    );
    await expectProblem(await call('POST', '/keys'), 400, 'invalid_request');
  });

  it('limits environments when told to', async () => {
    const liveOnly = createManagementHandler({ keys: keygate.keys, environments: ['live'] });
    const response = await liveOnly(
      new Request('http://admin.test/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'A', environment: 'test' }),
      }),
      ORG,
    );
    await expectProblem(response, 400, 'invalid_request');
  });
});

describe('list and get', () => {
  it('lists only the organisation’s keys, newest first, in pages', async () => {
    const first = await createKey({ name: 'First' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await createKey({ name: 'Second' });
    await createKey({ name: 'Elsewhere' }, OTHER_ORG);

    const response = await call('GET', '/keys');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { keys: { id: string; name: string }[] };
    expect(body.keys.map((key) => key.name)).toEqual(['Second', 'First']);
    expect(JSON.stringify(body)).not.toContain(first.key);
    expect(JSON.stringify(body)).not.toMatch(/hash/);

    const page = (await (await call('GET', '/keys?limit=1')).json()) as {
      keys: { id: string }[];
      nextCursor: string;
    };
    expect(page.keys.map((key) => key.id)).toEqual([second.record.id]);
    const next = (await (
      await call('GET', `/keys?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`)
    ).json()) as { keys: { id: string }[]; nextCursor: string | null };
    expect(next.keys.map((key) => key.id)).toEqual([first.record.id]);

    const one = await call('GET', `/keys/${first.record.id}/`);
    expect(await one.json()).toMatchObject({ id: first.record.id, name: 'First' });
  });

  it('refuses bad paging with a 400', async () => {
    await expectProblem(await call('GET', '/keys?limit=0'), 400, 'invalid_request');
    await expectProblem(await call('GET', '/keys?limit=abc'), 400, 'invalid_request');
    await expectProblem(await call('GET', '/keys?cursor=nonsense'), 400, 'invalid_request');
  });
});

describe('the organisation boundary', () => {
  it('answers 404 for another organisation’s key, on every route, and changes nothing', async () => {
    const theirs = await createKey({ name: 'Theirs' }, OTHER_ORG);
    const path = `/keys/${theirs.record.id}`;
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'Mine now' }],
      ['DELETE', '', undefined],
      ['POST', '/revoke', undefined],
      ['POST', '/rotate', { gracePeriod: '1h' }],
    ] as const) {
      await expectProblem(await call(method, `${path}${suffix}`, body), 404, 'api_key_not_found');
    }
    const still = await keygate.keys.get(theirs.record.id);
    expect(still).toMatchObject({ name: 'Theirs', status: 'active', replacedById: null });
    expect((await keygate.verifier.verify(theirs.key)).ok).toBe(true);
  });

  it('answers 404 for an unknown id and for unknown routes', async () => {
    await expectProblem(await call('GET', '/keys/nope'), 404, 'api_key_not_found');
    await expectProblem(await call('GET', '/keys/%E0%A4%A'), 404, 'not_found');
    await expectProblem(await call('GET', '/other'), 404, 'not_found');
    await expectProblem(
      await manage(new Request('http://admin.test/elsewhere/keys'), ORG),
      404,
      'not_found',
    );
  });

  it('refuses a call without an organisation as a programming error', async () => {
    await expect(manage(new Request(`${BASE}/keys`), { organisationId: '' })).rejects.toThrow(
      TypeError,
    );
  });
});

describe('rename, expiry, revoke, delete', () => {
  it('renames and sets or clears the expiry', async () => {
    const { record } = await createKey();
    const renamed = await call('PATCH', `/keys/${record.id}`, { name: 'CI' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: 'CI', expiresAt: null });
    const expiring = (await (
      await call('PATCH', `/keys/${record.id}`, { expiresAt: '2099-06-01T00:00:00Z' })
    ).json()) as { expiresAt: string };
    expect(expiring.expiresAt).toBe('2099-06-01T00:00:00.000Z');
    const cleared = (await (
      await call('PATCH', `/keys/${record.id}`, { expiresAt: null })
    ).json()) as {
      expiresAt: null;
    };
    expect(cleared.expiresAt).toBeNull();
    await expectProblem(await call('PATCH', `/keys/${record.id}`, {}), 400, 'invalid_request');
  });

  it('revokes: the key is refused at once', async () => {
    const { key, record } = await createKey();
    expect((await keygate.verifier.verify(key)).ok).toBe(true);
    const response = await call('POST', `/keys/${record.id}/revoke`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'revoked' });
    const result = await keygate.verifier.verify(key);
    expect(!result.ok && result.error.code).toBe('revoked_api_key');
  });

  it('deletes: 204, then 404, and the key is invalid', async () => {
    const { key, record } = await createKey();
    await keygate.verifier.verify(key);
    const response = await call('DELETE', `/keys/${record.id}`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    await expectProblem(await call('DELETE', `/keys/${record.id}`), 404, 'api_key_not_found');
    const result = await keygate.verifier.verify(key);
    expect(!result.ok && result.error.code).toBe('invalid_api_key');
  });

  it('answers 405 with Allow for a wrong method', async () => {
    const { record } = await createKey();
    const response = await call('PUT', `/keys/${record.id}`, { name: 'A' });
    await expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect((await call('DELETE', '/keys')).headers.get('allow')).toBe('GET, POST');
    expect((await call('GET', `/keys/${record.id}/rotate`)).status).toBe(405);
  });
});

describe('rotate', () => {
  it('issues a successor once and lets the old key live for the grace period', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    try {
      const old = await createKey();
      const response = await call('POST', `/keys/${old.record.id}/rotate`, { gracePeriod: '1h' });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as {
        key: string;
        record: { id: string; name: string };
        previous: { id: string; expiresAt: string; replacedById: string; status: string };
      };
      expect(body.key).not.toBe(old.key);
      expect(body.record.name).toBe('Production API');
      expect(body.previous).toMatchObject({
        id: old.record.id,
        replacedById: body.record.id,
        status: 'active',
        expiresAt: '2030-01-01T01:00:00.000Z',
      });
      expect((await keygate.verifier.verify(old.key)).ok).toBe(true);
      expect((await keygate.verifier.verify(body.key)).ok).toBe(true);
      const again = await call('POST', `/keys/${old.record.id}/rotate`, { gracePeriod: '1h' });
      const problem = await expectProblem(again, 409, 'api_key_not_active');
      expect(problem.detail).toContain(body.record.id);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends the old key at once without a grace period (empty body) and takes seconds', async () => {
    const old = await createKey();
    const response = await call('POST', `/keys/${old.record.id}/rotate`, undefined, ORG, {});
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      key: string;
      previous: { status: string; id: string };
    };
    expect(body.previous.status).toBe('revoked');
    const result = await keygate.verifier.verify(old.key);
    expect(!result.ok && result.error.code).toBe('revoked_api_key');
    const again = await call('POST', `/keys/${old.record.id}/rotate`, { gracePeriod: 60 });
    await expectProblem(again, 409, 'api_key_not_active');

    const next = (await keygate.keys.list('org_1')).keys.find((key) => key.status === 'active')!;
    const seconds = await call('POST', `/keys/${next.id}/rotate`, { gracePeriod: 60 });
    expect(seconds.status).toBe(201);
  });

  it.each([
    [{ gracePeriod: '31d' }],
    [{ gracePeriod: -1 }],
    [{ gracePeriod: 1.5 }],
    [{ gracePeriod: 'forever' }],
    [{ grace: '1h' }],
  ])('refuses %j with a 400', async (body) => {
    const old = await createKey();
    await expectProblem(
      await call('POST', `/keys/${old.record.id}/rotate`, body),
      400,
      'invalid_request',
    );
    expect((await keygate.keys.get(old.record.id))?.replacedById).toBeNull();
  });
});

describe('update and rotation policy', () => {
  it('updates name, expiry, scopes and enabled in one PATCH; a disabled key is refused', async () => {
    const { key, record } = await createKey({ name: 'A', scopes: ['sites:read'] });
    const response = await call('PATCH', `/keys/${record.id}`, {
      name: 'B',
      expiresIn: '1d',
      scopes: ['sites:read', 'sites:write'],
      enabled: false,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'B',
      scopes: ['sites:read', 'sites:write'],
      status: 'disabled',
      disabledAt: expect.any(String),
    });
    const refused = await keygate.verifier.verify(key);
    expect(!refused.ok && refused.error.code).toBe('disabled_api_key');
    const enabled = await call('PATCH', `/keys/${record.id}`, { enabled: true });
    expect(await enabled.json()).toMatchObject({ status: 'active', disabledAt: null });
    expect((await keygate.verifier.verify(key)).ok).toBe(true);
    await expectProblem(
      await call('PATCH', `/keys/${record.id}`, { enabled: 'no' }),
      400,
      'invalid_request',
    );
  });

  it('keeps a revoked key revoked: PATCH answers 409', async () => {
    const { record } = await createKey();
    await call('POST', `/keys/${record.id}/revoke`);
    await expectProblem(
      await call('PATCH', `/keys/${record.id}`, { enabled: true }),
      409,
      'api_key_not_active',
    );
  });

  it('rotates keeping the expiry instant, or with the one the body gives', async () => {
    const old = await createKey({ name: 'A', expiresIn: '2h', scopes: ['x'] });
    const kept = (await (await call('POST', `/keys/${old.record.id}/rotate`, {})).json()) as {
      record: { id: string; expiresAt: string; scopes: string[] };
    };
    expect(kept.record.expiresAt).toBe(old.record.expiresAt);
    expect(kept.record.scopes).toEqual(['x']);
    const never = (await (
      await call('POST', `/keys/${kept.record.id}/rotate`, { expiresAt: null })
    ).json()) as { record: { id: string; expiresAt: string | null } };
    expect(never.record.expiresAt).toBeNull();
  });

  it('of four concurrent rotations answers one 201 and three 409', async () => {
    const old = await createKey();
    const responses = await Promise.all(
      [0, 1, 2, 3].map(() => call('POST', `/keys/${old.record.id}/rotate`, { gracePeriod: '1h' })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409]);
    const listed = (await keygate.keys.list('org_1')).keys;
    expect(listed).toHaveLength(2);
  });
});

describe('store failures', () => {
  it('answers 503 problem+json and reports the error, never leaking it', async () => {
    const onError = vi.fn();
    const failing = createManagementHandler({
      keys: {
        ...keygate.keys,
        list: () => Promise.reject(new Error('connection refused 10.0.0.7')),
      },
      onError,
    });
    const response = await failing(new Request('http://admin.test/keys'), ORG);
    const body = await expectProblem(response, 503, 'key_store_unavailable');
    expect(body.detail).not.toContain('10.0.0.7');
    expect(onError).toHaveBeenCalledOnce();
  });

  it('checks its options', () => {
    expect(() => createManagementHandler({} as never)).toThrow(/needs \{ keys/);
    expect(() => createManagementHandler({ keys: keygate.keys, basePath: 'admin' })).toThrow(
      /basePath/,
    );
  });
});
