// The HTTP contract (docs/design.md, "Errors") on every adapter over real sockets: every row of the
// error table, success, header stripping, the next handler never running on a refusal, and the
// same status, headers and body from every framework for the same request.
import {
  createKeygate,
  type Keygate,
  type MemoryKeyStore,
  MemoryRateLimiter,
  type RateLimiter,
} from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, relevantHeaders, send } from './http-client.js';
import { failingStore, STORE_FAILURES, testKeygate, unknownKey } from './keygate-fixtures.js';
import { type AuthOptions, FRAMEWORKS, type TestApp } from './test-apps.js';

const WWW_AUTHENTICATE = 'ApiKey realm="api", header="x-api-key"';

let keygate: Keygate;
let store: MemoryKeyStore;
const keys: Record<string, string> = {};

beforeAll(async () => {
  ({ keygate, store } = testKeygate());
  const create = async (name: string, input: Parameters<Keygate['keys']['create']>[0]) => {
    const created = await keygate.keys.create(input);
    keys[name] = created.key;
    return created.record.id;
  };
  await create('reader', { organisationId: 'org_a', name: 'reader', scopes: ['sites:read'] });
  await create('writer', { organisationId: 'org_a', name: 'writer', scopes: ['sites:write'] });
  await create('expired', {
    organisationId: 'org_a',
    name: 'expired',
    expiresAt: new Date(Date.now() - 60_000),
  });
  const revoked = await create('revoked', { organisationId: 'org_a', name: 'revoked' });
  await keygate.keys.revoke(revoked);
  await create('no organisation', { organisationId: null, name: 'orphan' });
  await create('inactive organisation', { organisationId: 'org_off', name: 'inactive' });
  await create('test environment', { organisationId: 'org_a', name: 'test', environment: 'test' });
});

afterAll(() => keygate.close());

type AppKind = 'main' | 'liveOnly' | 'rateLimited' | 'unavailable' | 'throwingResolver';

/** A verifier per kind of app, fresh for each framework (rate-limit state is per verifier). */
function authFor(kind: AppKind): AuthOptions {
  switch (kind) {
    case 'main':
      return { keygate };
    case 'liveOnly':
      return { verifier: createKeygate({ store, environments: ['live'] }).verifier };
    case 'rateLimited': {
      // A limiter on a fixed clock (the start of a window), so Retry-After and the RateLimit
      // fields are the same whenever the test runs.
      const limiter = new MemoryRateLimiter();
      const atWindowStart: RateLimiter = {
        consume: (requests, cost) => limiter.consume(requests, cost, Date.UTC(2026, 0, 1)),
      };
      return {
        verifier: createKeygate({
          store,
          rateLimit: { limit: 2, windowMs: 60_000 },
          rateLimiter: atWindowStart,
        }).verifier,
      };
    }
    case 'unavailable':
      return {
        verifier: createKeygate({ store: failingStore(STORE_FAILURES.rejects), onError: () => {} })
          .verifier,
      };
    case 'throwingResolver':
      return {
        verifier: createKeygate({
          store,
          resolveOrganisation: () => {
            throw new Error('the organisation service is down');
          },
          onError: () => {},
        }).verifier,
      };
  }
}

interface RefusalCase {
  readonly name: string;
  readonly app: AppKind;
  readonly path?: string;
  readonly headers: () => Record<string, string>;
  readonly status: number;
  readonly code: string;
  readonly detail?: RegExp;
  readonly retryAfter?: string;
  /** The RateLimit and RateLimit-Policy fields a quota refusal carries. */
  readonly rateLimit?: string;
  readonly rateLimitPolicy?: string;
  /** Requests sent first, to reach the state under test. */
  readonly warmUp?: number;
  /**
   * The one case where the Fetch authenticator's answer differs from the Node adapters': Fetch's
   * `Headers` joins repeated headers with ", ", so one header holding "a, b" cannot be told from
   * two headers. Same status and code; the detail says "several headers".
   */
  readonly differsOnFetch?: true;
}

const REFUSALS: readonly RefusalCase[] = [
  {
    name: 'no key header',
    app: 'main',
    headers: () => ({}),
    status: 401,
    code: 'missing_api_key',
    detail: /x-api-key header\.$/,
  },
  {
    name: 'the key sent in Authorization',
    app: 'main',
    headers: () => ({ authorization: `Bearer ${keys.reader}` }),
    status: 401,
    code: 'missing_api_key',
    detail: /not in the Authorization header/,
  },
  {
    name: 'an empty key header',
    app: 'main',
    headers: () => ({ 'x-api-key': '' }),
    status: 401,
    code: 'missing_api_key',
  },
  {
    name: 'a malformed key',
    app: 'main',
    headers: () => ({ 'x-api-key': 'sk_live_not-a-key' }),
    status: 401,
    code: 'malformed_api_key',
  },
  {
    name: 'a key with a broken checksum',
    app: 'main',
    headers: () => ({
      'x-api-key': `${keys.reader!.slice(0, -1)}${keys.reader!.endsWith('A') ? 'B' : 'A'}`,
    }),
    status: 401,
    code: 'malformed_api_key',
    detail: /checksum/,
  },
  {
    name: 'two keys joined in one header',
    app: 'main',
    headers: () => ({ 'x-api-key': `${keys.reader}, ${keys.writer}` }),
    status: 401,
    code: 'malformed_api_key',
    differsOnFetch: true,
  },
  {
    name: 'a key that was never issued',
    app: 'main',
    headers: () => ({ 'x-api-key': unknownKeyForAll }),
    status: 401,
    code: 'invalid_api_key',
  },
  {
    name: 'an expired key',
    app: 'main',
    headers: () => ({ 'x-api-key': keys.expired! }),
    status: 401,
    code: 'expired_api_key',
  },
  {
    name: 'a revoked key',
    app: 'main',
    headers: () => ({ 'x-api-key': keys.revoked! }),
    status: 401,
    code: 'revoked_api_key',
  },
  {
    name: 'a test key on a live-only server',
    app: 'liveOnly',
    headers: () => ({ 'x-api-key': keys['test environment']! }),
    status: 401,
    code: 'wrong_environment',
  },
  {
    name: 'a key created without an organisation',
    app: 'main',
    headers: () => ({ 'x-api-key': keys['no organisation']! }),
    status: 403,
    code: 'missing_organisation',
  },
  {
    name: 'a key whose organisation resolves to null',
    app: 'main',
    headers: () => ({ 'x-api-key': keys['inactive organisation']! }),
    status: 403,
    code: 'missing_organisation',
  },
  {
    name: 'a key without the scope the route requires',
    app: 'main',
    path: '/scoped',
    headers: () => ({ 'x-api-key': keys.reader! }),
    status: 403,
    code: 'insufficient_scope',
    detail: /sites:write/,
  },
  {
    name: 'a key over its rate limit',
    app: 'rateLimited',
    headers: () => ({ 'x-api-key': keys.reader! }),
    warmUp: 2,
    status: 429,
    code: 'rate_limited',
    // In the next window the 2 requests weigh 2 × (1 − elapsed/60 s): one fits after 30 s more.
    retryAfter: '90',
    rateLimit: '"default";r=0;t=120',
    rateLimitPolicy: '"default";q=2;w=60',
  },
  {
    name: 'a store that fails',
    app: 'unavailable',
    headers: () => ({ 'x-api-key': keys.reader! }),
    status: 503,
    code: 'key_store_unavailable',
    retryAfter: '5',
  },
];

const unknownKeyForAll = unknownKey();
const answers = new Map<string, Map<string, Answer>>();

describe.each(FRAMEWORKS)('$name', (framework) => {
  const apps = new Map<AppKind | 'noStrip', TestApp>();

  beforeAll(async () => {
    for (const kind of [
      'main',
      'liveOnly',
      'rateLimited',
      'unavailable',
      'throwingResolver',
    ] as const) {
      apps.set(kind, await framework.start(authFor(kind)));
    }
    apps.set('noStrip', await framework.start({ keygate, stripHeader: false }));
  });

  afterAll(async () => {
    for (const app of apps.values()) await app.close();
  });

  it.each(REFUSALS)('refuses $name with $status $code, and no handler runs', async (refusal) => {
    const app = apps.get(refusal.app)!;
    const url = `${app.url}${refusal.path ?? '/whoami'}`;
    for (let index = 0; index < (refusal.warmUp ?? 0); index++) {
      expect((await send(url, { headers: refusal.headers() })).status).toBe(200);
    }
    const handledBefore = app.handled();
    const answer = await send(url, { headers: refusal.headers() });

    expect(answer.status).toBe(refusal.status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['www-authenticate']).toBe(
      refusal.status === 401 ? WWW_AUTHENTICATE : undefined,
    );
    expect(answer.headers['retry-after']).toBe(refusal.retryAfter);
    expect(answer.headers.ratelimit).toBe(refusal.rateLimit);
    expect(answer.headers['ratelimit-policy']).toBe(refusal.rateLimitPolicy);
    expect(answer.json).toMatchObject({
      type: `https://keygate.dev/problems/${refusal.code}`,
      status: refusal.status,
      code: refusal.code,
    });
    expect(typeof answer.json.title).toBe('string');
    if (refusal.detail) expect(answer.json.detail).toMatch(refusal.detail);
    for (const key of Object.values(keys)) expect(answer.text).not.toContain(key.slice(8));
    expect(app.handled()).toBe(handledBefore);
    expect(app.errors).toEqual([]);

    const byFramework = answers.get(refusal.name) ?? new Map<string, Answer>();
    answers.set(refusal.name, byFramework);
    byFramework.set(framework.name, answer);
  });

  it('writes the RateLimit fields on an accepted request too', async () => {
    const answer = await send(`${apps.get('rateLimited')!.url}/whoami`, {
      headers: { 'x-api-key': keys.writer! },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['ratelimit-policy']).toBe('"default";q=2;w=60');
    expect(answer.headers.ratelimit).toBe('"default";r=1;t=120');
    // A key without quotas gets none.
    const plain = await send(`${apps.get('main')!.url}/whoami`, {
      headers: { 'x-api-key': keys.writer! },
    });
    expect(plain.headers.ratelimit).toBeUndefined();
  });

  it('lists the missing scopes on insufficient_scope', async () => {
    const answer = await send(`${apps.get('main')!.url}/scoped`, {
      headers: { 'x-api-key': keys.reader! },
    });
    expect(answer.json.missingScopes).toEqual(['sites:write']);
  });

  it('lets a valid key through, attaches its context and strips the key header', async () => {
    const app = apps.get('main')!;
    const handledBefore = app.handled();
    const answer = await send(`${app.url}/whoami`, { headers: { 'x-api-key': keys.reader! } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      organisationId: 'org_a',
      scopes: ['sites:read'],
      headerAfterAuth: null,
      rawHeaderAfterAuth: false,
    });
    expect(app.handled()).toBe(handledBefore + 1);
  });

  it('lets a key with the required scope through the guard', async () => {
    const answer = await send(`${apps.get('main')!.url}/scoped`, {
      headers: { 'x-api-key': keys.writer! },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ok: true });
  });

  it('leaves the header on the request with stripHeader: false', async () => {
    const answer = await send(`${apps.get('noStrip')!.url}/whoami`, {
      headers: { 'x-api-key': keys.reader! },
    });
    expect(answer.json).toMatchObject({
      headerAfterAuth: keys.reader,
      rawHeaderAfterAuth: true,
    });
  });

  it('answers a throwing resolveOrganisation with 503 key_store_unavailable, never a 401 or 500', async () => {
    const app = apps.get('throwingResolver')!;
    const answer = await send(`${app.url}/whoami`, { headers: { 'x-api-key': keys.writer! } });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ code: 'key_store_unavailable' });
    expect(answer.headers['retry-after']).toBeDefined();
    expect(app.errors).toHaveLength(0);
    expect(app.handled()).toBe(0);
    // The server is still up.
    expect((await send(`${app.url}/whoami`)).status).toBe(401);
  });
});

describe('across frameworks', () => {
  it.each(REFUSALS)('answers $name identically', (refusal) => {
    const byFramework = answers.get(refusal.name)!;
    expect([...byFramework.keys()]).toEqual(FRAMEWORKS.map((framework) => framework.name));
    if (refusal.differsOnFetch) byFramework.delete('fetch');
    const [first, ...rest] = [...byFramework.values()];
    for (const answer of rest) {
      expect(answer.status).toBe(first!.status);
      expect(relevantHeaders(answer)).toEqual(relevantHeaders(first!));
      expect(answer.text).toBe(first!.text);
    }
  });

  it('answers one x-api-key header holding "a, b" on Fetch as several headers (the exception)', async () => {
    const app = await FRAMEWORKS.find((framework) => framework.name === 'fetch')!.start({
      keygate,
    });
    try {
      const answer = await send(`${app.url}/whoami`, {
        headers: { 'x-api-key': `${keys.reader}, ${keys.writer}` },
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'malformed_api_key' });
      expect(answer.json.detail).toBe(
        'Send exactly one x-api-key header; this request has several.',
      );
    } finally {
      await app.close();
    }
  });
});
