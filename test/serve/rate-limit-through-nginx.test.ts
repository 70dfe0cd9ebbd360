// `keygate serve` with a rate limit in its config (a default of 5 a minute per key, counted in
// Redis, strict), behind real nginx with the recipe of examples/forward-auth/: accepted requests
// reach the client with the RateLimit fields, and a key past its limit, or out of credits, gets
// the same 429 (status, problem body, Retry-After, RateLimit fields) through nginx as directly.
import { parseServeConfig } from '@keygate/cli';
import type { CreateApiKeyInput } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHttp, type StartedServer } from '../../examples/src/demo/index.js';
import { echoUpstream } from '../../examples/src/gateway/echo-upstream.js';
import { type Answer, send } from '../http/http-client.js';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import { NGINX, type ProxyServer, proxyAvailable } from './support/proxy-servers.js';
import {
  type ServeUnderTest,
  startServeUnderTest,
  TEST_SERVE_CONFIG,
} from './support/serve-fixtures.js';

const SUITE = 'keygate serve rate limits through nginx';
const available = redisBinariesAvailable(SUITE) && proxyAvailable(NGINX, SUITE);

const CONFIG = parseServeConfig(
  {
    routes: TEST_SERVE_CONFIG.routes.map(({ path, methods, scopes }) => ({
      path,
      ...(methods === undefined ? {} : { methods }),
      scopes,
    })),
    environments: ['live'],
    rateLimit: { default: '5/1m', limiter: 'redis', mode: 'strict' },
  },
  'test config',
);

let under: ServeUnderTest;
let upstream: StartedServer;
let nginx: ProxyServer;

beforeAll(async () => {
  if (!available) return;
  under = await startServeUnderTest(CONFIG);
  upstream = await listenHttp(echoUpstream, '127.0.0.1', 0);
  nginx = await NGINX.start({
    keygate: new URL(under.serve.url).host,
    upstream: new URL(upstream.url).host,
  });
});

afterAll(async () => {
  await nginx?.stop();
  await upstream?.close();
  await under?.close();
});

/** What a client compares between a direct call and one through nginx. */
function shape(answer: Answer) {
  return {
    status: answer.status,
    body: answer.text,
    'content-type': answer.headers['content-type'],
    'retry-after': answer.headers['retry-after'],
    ratelimit: answer.headers.ratelimit,
    'ratelimit-policy': answer.headers['ratelimit-policy'],
    'credits-remaining': answer.headers['credits-remaining'],
  };
}

const through = (key: string) => send(`${nginx.url}/api/sites`, { headers: { 'x-api-key': key } });
const direct = (key: string) =>
  send(`${under.serve.url}/api/sites`, { headers: { 'x-api-key': key } });

/**
 * A refusal through nginx, between two direct ones: its `Retry-After` and `t=` count whole
 * seconds down, so it matches the direct answer made in the same second (one of the two).
 */
async function refusedAlike(key: string, counted = false): Promise<Answer> {
  const before = await direct(key);
  const proxied = await through(key);
  const after = await direct(key);
  // A refusal for credits still counts against the rate limit: its `r=` goes down by one a call.
  const compared = (answer: Answer) => {
    const { ratelimit, ...rest } = shape(answer);
    return counted ? rest : { ratelimit, ...rest };
  };
  expect([compared(before), compared(after)], nginx.log()).toContainEqual(compared(proxied));
  return proxied;
}

async function newKey(input: Partial<CreateApiKeyInput> = {}): Promise<string> {
  const created = await under.keygate.keys.create({
    organisationId: 'org_a',
    name: 'metered',
    ...input,
  });
  return created.key;
}

describe.runIf(available)(SUITE, () => {
  it('passes the RateLimit fields of an accepted request on to the client', async () => {
    const key = await newKey();
    const answer = await through(key);
    expect(answer.status, nginx.log()).toBe(200);
    expect(answer.json.headers['x-keygate-organisation-id']).toBe('org_a');
    expect(answer.headers['ratelimit-policy']).toBe('"default";q=5;w=60');
    expect(answer.headers.ratelimit).toMatch(/^"default";r=4;t=\d+$/);
  });

  it('answers 429 rate_limited through nginx exactly as a direct call does', async () => {
    const key = await newKey();
    for (let index = 0; index < 5; index++) expect((await through(key)).status).toBe(200);
    const refused = await refusedAlike(key);
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.json.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    expect(refused.headers['ratelimit-policy']).toBe('"default";q=5;w=60');
    // The upstream never saw the refused requests: nginx answered them itself.
    expect(refused.json.headers).toBeUndefined();
  });

  it("counts a key's own, stricter limit in the same Redis for every caller", async () => {
    const key = await newKey({ rateLimit: { limit: 1, windowMs: 60_000 } });
    expect((await direct(key)).status).toBe(200);
    const refused = await refusedAlike(key);
    expect(refused.json.code).toBe('rate_limited');
    expect(refused.headers['ratelimit-policy']).toContain('"key";q=1;w=60');
  });

  it('answers 429 usage_exceeded with Credits-Remaining through nginx as directly', async () => {
    const key = await newKey({
      credits: { remaining: 1, refill: { amount: 1, intervalMs: 3_600_000 } },
    });
    const accepted = await through(key);
    expect(accepted.status).toBe(200);
    expect(accepted.headers['credits-remaining']).toBe('0');
    const refused = await refusedAlike(key, true);
    expect(refused.status).toBe(429);
    expect(refused.json.code).toBe('usage_exceeded');
    expect(refused.headers.ratelimit).toMatch(/^"default";r=2;t=\d+$/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
  });
});
