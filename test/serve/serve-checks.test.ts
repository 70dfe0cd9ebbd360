// `keygate serve` called directly, as each proxy calls it: the answer to a valid key (organisation
// headers, never the key), every refusal of the contract, scope rules per path and method, the
// original request read from nginx, Traefik/Caddy and Envoy request shapes, /healthz, and a store
// outage (fail closed with 503). Real Redis (a private redis-server this file stops).
import { parseServeConfig, startForwardAuthServer } from '@keygate/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../http/http-client.js';
import { unknownKey } from '../http/keygate-fixtures.js';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import { stopRedisServer } from '../redis/support/redis-server.js';
import { type ServeUnderTest, startServeUnderTest } from './support/serve-fixtures.js';

const WWW_AUTHENTICATE = 'ApiKey realm="api", header="x-api-key"';
const available = redisBinariesAvailable('keygate serve checks');

describe.runIf(available)('keygate serve', () => {
  let under: ServeUnderTest;
  const check = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    send(`${under.serve.url}${path}`, { method, headers });

  beforeAll(async () => {
    under = await startServeUnderTest();
  });

  afterAll(() => under?.close());

  const expectNoKey = (text: string) => {
    for (const key of Object.values(under.keys)) expect(text).not.toContain(key.slice(8));
  };

  it('answers a valid key with 200, the organisation in headers, and neither body nor key', async () => {
    const answer = await check('/api/sites', { 'x-api-key': under.keys.reader });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(answer.headers).toMatchObject({
      'x-keygate-organisation-id': 'org_a',
      'x-keygate-environment': 'live',
      'x-keygate-scopes': 'sites:read',
      'cache-control': 'no-store',
    });
    expect(answer.headers['x-keygate-key-id']).toMatch(/^[0-9a-f-]{36}$/);
    expectNoKey(JSON.stringify(answer.headers));
    // A cache hit answers the same.
    const again = await check('/api/sites', { 'x-api-key': under.keys.reader });
    expect(again.headers['x-keygate-key-id']).toBe(answer.headers['x-keygate-key-id']);
  });

  const refusals = [
    ['no key', () => ({}), 401, 'missing_api_key'],
    [
      'the key as a bearer token',
      () => ({ authorization: `Bearer ${under.keys.reader}` }),
      401,
      'missing_api_key',
    ],
    ['a malformed key', () => ({ 'x-api-key': 'sk_live_nope' }), 401, 'malformed_api_key'],
    [
      'two keys',
      () => ({ 'x-api-key': `${under.keys.reader}, ${under.keys.writer}` }),
      401,
      'malformed_api_key',
    ],
    ['a key never issued', () => ({ 'x-api-key': unknownKey() }), 401, 'invalid_api_key'],
    ['an expired key', () => ({ 'x-api-key': under.keys.expired }), 401, 'expired_api_key'],
    ['a revoked key', () => ({ 'x-api-key': under.keys.revoked }), 401, 'revoked_api_key'],
    [
      'a test key (live only)',
      () => ({ 'x-api-key': under.keys.testEnvironment }),
      401,
      'wrong_environment',
    ],
    [
      'a key without organisation',
      () => ({ 'x-api-key': under.keys.orphan }),
      403,
      'missing_organisation',
    ],
  ] as const;

  it.each(refusals)(
    'refuses %s with %i %s, as problem+json',
    async (_name, headers, status, code) => {
      const answer = await check('/api/sites', headers());
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['www-authenticate']).toBe(
        status === 401 ? WWW_AUTHENTICATE : undefined,
      );
      expect(answer.json).toMatchObject({
        status,
        code,
        type: `https://keygate.dev/problems/${code}`,
      });
      expect(answer.headers['x-keygate-organisation-id']).toBeUndefined();
      expect(answer.headers['x-keygate-problem']).toBeUndefined();
      expectNoKey(answer.text);
    },
  );

  it('sends the problem in x-keygate-problem too when the check asks (nginx)', async () => {
    const answer = await check('/api/sites', {
      'x-api-key': under.keys.revoked,
      'x-keygate-problem-header': '1',
    });
    expect(answer.status).toBe(401);
    expect(answer.headers['x-keygate-problem']).toBe(answer.text);
  });

  describe('scope rules', () => {
    it.each([
      ['GET', '/admin', 'reader', 403],
      ['GET', '/admin', 'admin', 200],
      ['DELETE', '/admin/users/1', 'reader', 403],
      ['GET', '/administrators', 'reader', 200],
      ['GET', '/api/sites', 'reader', 200],
      ['HEAD', '/api/sites', 'reader', 200],
      ['POST', '/api/sites', 'reader', 403],
      ['POST', '/api/sites/42/notes', 'reader', 403],
      ['POST', '/api/sites', 'writer', 200],
      ['post', '/api/sites', 'reader', 403],
    ] as const)('%s %s with the %s key: %i', async (method, path, key, status) => {
      const answer = await check('/check', {
        'x-api-key': under.keys[key],
        'x-forwarded-method': method,
        'x-forwarded-uri': path,
      });
      expect(answer.status).toBe(status);
      if (status === 403) {
        expect(answer.json.code).toBe('insufficient_scope');
        expect(answer.json.missingScopes.length).toBeGreaterThan(0);
      }
    });

    it.each([
      '/admin?x=1',
      '//admin',
      '/api/../admin',
      '/./admin/',
      '/adm%69n',
      '/x/..%2Fadmin',
      '/%2e%2e/admin',
      '\\admin',
      'http://example.com/admin',
    ])('reads %s as /admin (canonical path)', async (uri) => {
      const answer = await check('/check', {
        'x-api-key': under.keys.reader,
        'x-original-uri': uri,
        'x-original-method': 'GET',
      });
      expect(answer.status).toBe(403);
    });
  });

  describe('request shapes of each proxy', () => {
    it('nginx: X-Original-Method and X-Original-URI on a GET to /check', async () => {
      const headers = { 'x-original-method': 'POST', 'x-original-uri': '/api/sites?x=1' };
      expect((await check('/check', { ...headers, 'x-api-key': under.keys.reader })).status).toBe(
        403,
      );
      expect((await check('/check', { ...headers, 'x-api-key': under.keys.writer })).status).toBe(
        200,
      );
    });

    it('Traefik and Caddy: X-Forwarded-Method and X-Forwarded-Uri on a GET', async () => {
      const headers = {
        'x-forwarded-method': 'POST',
        'x-forwarded-uri': '/api/sites',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'api.example.com',
        'x-forwarded-for': '203.0.113.7',
      };
      expect((await check('/', { ...headers, 'x-api-key': under.keys.reader })).status).toBe(403);
      expect((await check('/', { ...headers, 'x-api-key': under.keys.writer })).status).toBe(200);
    });

    it('Envoy: the original method and the path behind path_prefix; forwarded headers ignored there', async () => {
      const envoy = (key: string, extra: Record<string, string> = {}) =>
        check(
          '/envoy/api/sites?page=2',
          { 'x-api-key': key, 'content-length': '0', ...extra },
          'POST',
        );
      expect((await envoy(under.keys.reader)).status).toBe(403);
      expect((await envoy(under.keys.writer)).status).toBe(200);
      // A client's own X-Forwarded-Uri cannot move the check to an unprotected path.
      expect((await envoy(under.keys.reader, { 'x-forwarded-uri': '/public' })).status).toBe(403);
      const admin = await check('/envoy/admin', { 'x-api-key': under.keys.reader });
      expect(admin.json.code).toBe('insufficient_scope');
    });
  });

  it('names the context headers as configured', async () => {
    const renamed = await startForwardAuthServer({
      storeUrl: under.storeUrl,
      port: 0,
      config: parseServeConfig(
        {
          headers: {
            organisationId: 'X-Org',
            keyId: 'x-key',
            environment: 'x-env',
            scopes: 'x-scopes',
          },
        },
        'inline',
      ),
    });
    try {
      const answer = await send(`${renamed.url}/`, { headers: { 'x-api-key': under.keys.writer } });
      expect(answer.status).toBe(200);
      expect(answer.headers).toMatchObject({
        'x-org': 'org_a',
        'x-env': 'live',
        'x-scopes': 'sites:read sites:write',
      });
      expect(answer.headers['x-keygate-organisation-id']).toBeUndefined();
    } finally {
      await renamed.close();
    }
  });

  it('reports the store on GET /healthz, and treats /healthz of a forwarded request as a check', async () => {
    const health = await check('/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', store: 'reachable' });
    const forwarded = await check('/healthz', { 'x-forwarded-uri': '/healthz' });
    expect(forwarded.status).toBe(401);
    expect((await check('/envoy/healthz')).status).toBe(401);
  });

  // Last: stops the store.
  it('fails closed when the store is down: 503 with Retry-After, and /healthz says so', async () => {
    const cached = await check('/', { 'x-api-key': under.keys.admin });
    expect(cached.status).toBe(200);
    const { key: unread } = await under.keygate.keys.create({
      organisationId: 'org_a',
      name: 'unread',
    });
    await stopRedisServer(under.redis);

    const answer = await check('/', { 'x-api-key': unknownKey() });
    expect(answer.status).toBe(503);
    expect(answer.json.code).toBe('key_store_unavailable');
    expect(answer.headers['retry-after']).toBeDefined();
    const health = await check('/healthz');
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'unavailable', store: 'unreachable' });
    // Never a 200 for a key that must be read, never a 401 for a store failure.
    expect((await check('/', { 'x-api-key': unread })).status).toBe(503);
    // A key checked a moment ago is still answered from the cache.
    expect((await check('/', { 'x-api-key': under.keys.admin })).status).toBe(200);
  });
});
