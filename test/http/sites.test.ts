// The reference sites API (docs/design.md, "The reference example and the CLI") on every framework:
// each route works, answers are scoped to the calling organisation, bad input is a 400 problem, and
// every framework gives the same answer to the same request.
import type { Keygate } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedServer } from '../../examples/src/demo/index.js';
import { MemorySitesRepository } from '../../examples/src/sites/index.js';
import { EXAMPLE_FRAMEWORKS } from './example-apps.js';
import { type Answer, relevantHeaders, send } from './http-client.js';
import { testKeygate } from './keygate-fixtures.js';

const SOLAR = { siteName: 'Solar Farm Alpha', capacity: 1000, unit: 'kW' };
const UNKNOWN_SITE = '123e4567-e89b-12d3-a456-426614174000';

let keygate: Keygate;
let keyA: string;
let keyB: string;
let keyATest: string;

beforeAll(async () => {
  ({ keygate } = testKeygate());
  ({ key: keyA } = await keygate.keys.create({ organisationId: 'org_a', name: 'a' }));
  ({ key: keyB } = await keygate.keys.create({ organisationId: 'org_b', name: 'b' }));
  ({ key: keyATest } = await keygate.keys.create({
    organisationId: 'org_a',
    name: 'a test',
    environment: 'test',
  }));
});

afterAll(() => keygate.close());

const json = (key: string) => ({ 'x-api-key': key, 'content-type': 'application/json' });

/** Requests whose answers do not depend on generated ids or times. */
const DETERMINISTIC: readonly [string, string, RequestInit][] = [
  ['no key', '/api/sites', {}],
  ['an unknown site', `/api/sites?siteId=${UNKNOWN_SITE}`, { headers: { 'x-api-key': 'A' } }],
  ['a non-UUID siteId', '/api/sites?siteId=123', { headers: { 'x-api-key': 'A' } }],
  [
    'two siteIds',
    `/api/sites?siteId=${UNKNOWN_SITE}&siteId=${UNKNOWN_SITE}`,
    { headers: { 'x-api-key': 'A' } },
  ],
  [
    'a text body',
    '/api/sites',
    { method: 'POST', headers: { 'x-api-key': 'A', 'content-type': 'text/plain' }, body: '{}' },
  ],
  [
    'broken JSON',
    '/api/sites',
    {
      method: 'POST',
      headers: { 'x-api-key': 'A', 'content-type': 'application/json' },
      body: '{"siteName":',
    },
  ],
  [
    'a bad unit',
    '/api/sites',
    {
      method: 'POST',
      headers: { 'x-api-key': 'A', 'content-type': 'application/json' },
      body: JSON.stringify({ ...SOLAR, unit: 'kw' }),
    },
  ],
  ['a PUT', '/api/sites', { method: 'PUT', headers: { 'x-api-key': 'A' } }],
  ['an unknown path', '/api/nothing', { headers: { 'x-api-key': 'A' } }],
];

const deterministicAnswers = new Map<string, Map<string, Answer>>();

describe.each(EXAMPLE_FRAMEWORKS)('$name', (framework) => {
  let server: StartedServer;
  const errors: unknown[] = [];

  beforeAll(async () => {
    server = await framework.start({
      keygate,
      sites: new MemorySitesRepository(),
      onError: (error) => errors.push(error),
    });
  });

  afterAll(async () => {
    await server.close();
    expect(errors).toEqual([]);
  });

  const sites = (query = '') => `${server.url}/api/sites${query}`;

  it('creates, lists and gets sites for the calling organisation', async () => {
    expect((await send(sites(), { headers: { 'x-api-key': keyA } })).json).toEqual([]);

    const created = await send(sites(), {
      method: 'POST',
      headers: json(keyA),
      body: JSON.stringify(SOLAR),
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(created.json).toMatchObject({ ...SOLAR, organisationId: 'org_a' });
    expect(created.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.location).toBe(`/api/sites?siteId=${created.json.id}`);

    const list = await send(sites(), { headers: { 'x-api-key': keyA } });
    expect(list.status).toBe(200);
    expect(list.json).toEqual([created.json]);

    const one = await send(sites(`?siteId=${created.json.id}`), { headers: { 'x-api-key': keyA } });
    expect(one.status).toBe(200);
    expect(one.json).toEqual(created.json);

    const upperCase = await send(sites(`?siteId=${created.json.id.toUpperCase()}`), {
      headers: { 'x-api-key': keyA },
    });
    expect(upperCase.json).toEqual(created.json);
  });

  it("answers another organisation's site with 404, and lists only the caller's sites", async () => {
    const [own] = (await send(sites(), { headers: { 'x-api-key': keyA } })).json;
    const other = await send(sites(`?siteId=${own.id}`), { headers: { 'x-api-key': keyB } });
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toBe('application/problem+json');
    expect(other.json).toMatchObject({ status: 404, code: 'site_not_found' });
    expect((await send(sites(), { headers: { 'x-api-key': keyB } })).json).toEqual([]);
  });

  it("keeps each environment's sites apart: a test key sees test sites only", async () => {
    const [live] = (await send(sites(), { headers: { 'x-api-key': keyA } })).json;
    expect(live.environment).toBe('live');
    expect((await send(sites(), { headers: { 'x-api-key': keyATest } })).json).toEqual([]);
    const hidden = await send(sites(`?siteId=${live.id}`), { headers: { 'x-api-key': keyATest } });
    expect(hidden.status).toBe(404);
    const created = await send(sites(), {
      method: 'POST',
      headers: json(keyATest),
      body: JSON.stringify(SOLAR),
    });
    expect(created.json).toMatchObject({ organisationId: 'org_a', environment: 'test' });
    const liveList = (await send(sites(), { headers: { 'x-api-key': keyA } })).json;
    expect(liveList.map((site: { id: string }) => site.id)).not.toContain(created.json.id);
  });

  it.each([
    ['a JSON array', '[]'],
    ['null', 'null'],
    ['no siteName', JSON.stringify({ capacity: 1, unit: 'W' })],
    ['an empty siteName', JSON.stringify({ ...SOLAR, siteName: '   ' })],
    ['a 201-character siteName', JSON.stringify({ ...SOLAR, siteName: 'x'.repeat(201) })],
    ['a numeric siteName', JSON.stringify({ ...SOLAR, siteName: 7 })],
    ['capacity 0', JSON.stringify({ ...SOLAR, capacity: 0 })],
    ['a negative capacity', JSON.stringify({ ...SOLAR, capacity: -5 })],
    ['capacity as a string', JSON.stringify({ ...SOLAR, capacity: '1000' })],
    ['an infinite capacity', '{"siteName":"x","capacity":1e400,"unit":"kW"}'],
    ['an unknown unit', JSON.stringify({ ...SOLAR, unit: 'TW' })],
    ['no unit', JSON.stringify({ siteName: 'x', capacity: 1 })],
    ['invalid JSON', '{siteName: "x"}'],
    ['an empty body', ''],
  ])('refuses %s with 400 and creates nothing', async (_name, body) => {
    const before = (await send(sites(), { headers: { 'x-api-key': keyB } })).json.length;
    const answer = await send(sites(), { method: 'POST', headers: json(keyB), body });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(answer.json.detail).toEqual(expect.any(String));
    expect((await send(sites(), { headers: { 'x-api-key': keyB } })).json).toHaveLength(before);
  });

  it('refuses a body sent without a JSON content type', async () => {
    const answer = await send(sites(), {
      method: 'POST',
      headers: { 'x-api-key': keyB },
      body: JSON.stringify(SOLAR),
    });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_body');
  });

  it('accepts the JSON content type with a charset', async () => {
    const answer = await send(sites(), {
      method: 'POST',
      headers: { 'x-api-key': keyB, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(SOLAR),
    });
    expect(answer.status).toBe(201);
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const answer = await send(sites(), {
      method: 'POST',
      headers: json(keyB),
      body: JSON.stringify({ ...SOLAR, siteName: 'x'.repeat(20_000) }),
    });
    expect(answer.status).toBe(413);
    expect(answer.json.code).toBe('body_too_large');
  });

  it('refuses a non-UUID siteId with 400', async () => {
    const answer = await send(sites('?siteId=not-a-uuid'), { headers: { 'x-api-key': keyA } });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('invalid_site_id');
  });

  it('asks for a key before anything else', async () => {
    const answer = await send(sites(), { method: 'POST', body: JSON.stringify(SOLAR) });
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('missing_api_key');
  });

  it.each(DETERMINISTIC)('records its answer to %s', async (name, path, init) => {
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    if (headers['x-api-key'] === 'A') headers['x-api-key'] = keyA;
    const answer = await send(`${server.url}${path}`, { ...init, headers });
    expect(answer.status).toBeLessThan(500);
    const byFramework = deterministicAnswers.get(name) ?? new Map<string, Answer>();
    deterministicAnswers.set(name, byFramework);
    byFramework.set(framework.name, answer);
  });
});

describe('across frameworks', () => {
  it.each(DETERMINISTIC)('answers %s identically', (name) => {
    const byFramework = deterministicAnswers.get(name)!;
    expect(byFramework.size).toBe(EXAMPLE_FRAMEWORKS.length);
    const [first, ...rest] = [...byFramework.values()];
    for (const answer of rest) {
      expect(answer.status).toBe(first!.status);
      expect(relevantHeaders(answer)).toEqual(relevantHeaders(first!));
      expect(answer.headers.allow).toBe(first!.headers.allow);
      expect(answer.text).toBe(first!.text);
    }
  });
});
