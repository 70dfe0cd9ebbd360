// The forward-auth recipes of examples/forward-auth/ on real nginx and real Caddy, in front of an
// upstream that echoes what it received: a valid key reaches the upstream with the organisation
// headers and without the key; each refusal reaches the client with the same status, headers and
// problem body as a direct call to `keygate serve`; a revocation made with the CLI is refused
// within 1 s (Redis pub/sub); a store outage is a 503 through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type StartedServer } from '../../examples/src/demo/index.js';
import { echoUpstream } from '../../examples/src/gateway/echo-upstream.js';
import { keygate as runKeygateCli } from '../cli/cli-support.js';
import { type Answer, send } from '../http/http-client.js';
import { unknownKey } from '../http/keygate-fixtures.js';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import { stopRedisServer } from '../redis/support/redis-server.js';
import {
  CADDY,
  NGINX,
  type ProxyKind,
  type ProxyServer,
  proxyAvailable,
} from './support/proxy-servers.js';
import { type ServeUnderTest, startServeUnderTest } from './support/serve-fixtures.js';

const SUITE = 'keygate serve through nginx and Caddy';
const kinds = redisBinariesAvailable(SUITE)
  ? [NGINX, CADDY].filter((kind) => proxyAvailable(kind, SUITE))
  : [];

let under: ServeUnderTest;
let upstream: StartedServer;
const proxies = new Map<ProxyKind['name'], ProxyServer>();

beforeAll(async () => {
  if (kinds.length === 0) return;
  under = await startServeUnderTest();
  upstream = await listenHttp(echoUpstream, '127.0.0.1', 0);
  const targets = {
    keygate: new URL(under.serve.url).host,
    upstream: new URL(upstream.url).host,
  };
  for (const kind of kinds) proxies.set(kind.name, await kind.start(targets));
});

afterAll(async () => {
  for (const proxy of proxies.values()) await proxy.stop();
  await upstream?.close();
  await under?.close();
});

/** What a client compares between a direct call and one through a proxy. */
function refusalShape(answer: Answer) {
  return {
    status: answer.status,
    body: answer.text,
    'content-type': answer.headers['content-type'],
    'cache-control': answer.headers['cache-control'],
    'www-authenticate': answer.headers['www-authenticate'],
    'retry-after': answer.headers['retry-after'],
  };
}

describe.each(kinds)('$name', (kind) => {
  const through = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    send(`${proxies.get(kind.name)!.url}${path}`, { method, headers });
  const direct = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    send(`${under.serve.url}${path}`, { method, headers });

  it('lets a valid key through to the upstream with the organisation and without the key', async () => {
    const answer = await through('/api/sites?page=2', {
      'x-api-key': under.keys.writer,
      // A client cannot pose as another organisation.
      'x-keygate-organisation-id': 'org_spoofed',
    });
    expect(answer.status, proxies.get(kind.name)!.log()).toBe(200);
    expect(answer.json.url).toBe('/api/sites?page=2');
    expect(answer.json.headers).toMatchObject({
      'x-keygate-organisation-id': 'org_a',
      'x-keygate-environment': 'live',
      'x-keygate-scopes': 'sites:read sites:write',
    });
    expect(answer.json.headers['x-keygate-key-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.json.headers['x-api-key']).toBeUndefined();
    expect(answer.text).not.toContain(under.keys.writer.slice(8));
  });

  it('passes the original method, so scope rules per method hold through the proxy', async () => {
    const post = await through('/api/sites', { 'x-api-key': under.keys.writer }, 'POST');
    expect(post.status).toBe(200);
    expect(post.json.method).toBe('POST');
    const refused = await through('/api/sites', { 'x-api-key': under.keys.reader }, 'POST');
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('insufficient_scope');
  });

  const refusals: readonly [string, () => Record<string, string>, string, number][] = [
    ['no key', () => ({}), '/api/sites', 401],
    [
      'the key as a bearer token',
      () => ({ authorization: `Bearer ${under.keys.reader}` }),
      '/api/sites',
      401,
    ],
    ['a malformed key', () => ({ 'x-api-key': 'sk_live_nope' }), '/api/sites', 401],
    ['a key never issued', () => ({ 'x-api-key': unknownKey() }), '/api/sites', 401],
    ['an expired key', () => ({ 'x-api-key': under.keys.expired }), '/api/sites', 401],
    ['a revoked key', () => ({ 'x-api-key': under.keys.revoked }), '/api/sites', 401],
    ['a test key', () => ({ 'x-api-key': under.keys.testEnvironment }), '/api/sites', 401],
    ['a key without organisation', () => ({ 'x-api-key': under.keys.orphan }), '/api/sites', 403],
    ['a key without the scope', () => ({ 'x-api-key': under.keys.reader }), '/admin/users', 403],
  ];

  it.each(refusals)(
    'answers %s exactly as a direct call does',
    async (_name, headers, path, status) => {
      const sent = headers();
      const viaProxy = await through(path, sent);
      const viaDirect = await direct(path, sent);
      expect(viaDirect.status).toBe(status);
      expect(refusalShape(viaProxy), proxies.get(kind.name)!.log()).toEqual(
        refusalShape(viaDirect),
      );
      expect(viaProxy.json.code).toBe(viaDirect.json.code);
    },
  );

  it('refuses a key revoked with the CLI within 1 s', async () => {
    const env = { KEYGATE_STORE: under.storeUrl };
    const created = await runKeygateCli(
      ['keys', 'create', '--org', 'org_a', '--name', `revoke via ${kind.name}`, '--json'],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string } };
    expect((await through('/api/sites', { 'x-api-key': key })).status).toBe(200);

    const revoked = await runKeygateCli(['keys', 'revoke', record.id], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    const revokedAt = Date.now();
    let answer: Answer;
    do {
      answer = await through('/api/sites', { 'x-api-key': key });
      if (answer.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    } while (Date.now() - revokedAt < 1_000);
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('revoked_api_key');
  });
});

// Last: stops the store for every proxy.
describe.runIf(kinds.length > 0)('with the store down', () => {
  it('answers 503 key_store_unavailable through every proxy, as a direct call does', async () => {
    await stopRedisServer(under.redis);
    const key = unknownKey();
    const viaDirect = await send(`${under.serve.url}/api/sites`, { headers: { 'x-api-key': key } });
    expect(viaDirect.status).toBe(503);
    for (const [name, proxy] of proxies) {
      const viaProxy = await send(`${proxy.url}/api/sites`, { headers: { 'x-api-key': key } });
      expect(refusalShape(viaProxy), `${name}\n${proxy.log()}`).toEqual(refusalShape(viaDirect));
    }
  });

  it('answers 503 through nginx when keygate itself is unreachable', async () => {
    const nginx = proxies.get('nginx');
    if (nginx === undefined) return;
    await under.serve.close();
    const answer = await send(`${nginx.url}/api/sites`, { headers: { 'x-api-key': unknownKey() } });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json.code).toBe('key_store_unavailable');
  });
});
