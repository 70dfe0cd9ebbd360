import { createKeygate, MemoryKeyStore } from '@keygate/core';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getApiKey } from './get-api-key.js';
import { type ApiKeyEnv, apiKeyAuth } from './middleware.js';
import { requireScopes } from './require-scopes.js';

const keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
let reader: string;
let writer: string;
let handled = 0;
const errors: unknown[] = [];

const app = new Hono<ApiKeyEnv>();
app.onError((error, c) => {
  errors.push(error);
  return c.json({ error: 'internal' }, 500);
});
app.get('/unguarded', requireScopes('sites:write'), (c) => c.text('never'));
app.get('/missing', (c) => c.json(getApiKey(c)));
app.use('/api/*', apiKeyAuth({ keygate }));
app.get('/api/whoami', (c) => {
  handled++;
  return c.json({
    organisationId: c.get('apiKey').organisationId,
    viaAccessor: getApiKey(c).keyId === c.var.apiKey.keyId,
    keyHeader: c.req.header('x-api-key') ?? null,
  });
});
app.post('/api/sites', requireScopes('sites:write'), (c) => {
  handled++;
  return c.json({ created: true }, 201);
});

beforeAll(async () => {
  ({ key: reader } = await keygate.keys.create({
    organisationId: 'org_1',
    name: 'reader',
    scopes: ['sites:read'],
  }));
  ({ key: writer } = await keygate.keys.create({
    organisationId: 'org_1',
    name: 'writer',
    scopes: ['sites:write'],
  }));
});

afterAll(() => keygate.close());

describe('apiKeyAuth', () => {
  it('sets the context, typed through Variables, and removes the key header', async () => {
    const response = await app.request('/api/whoami', { headers: { 'x-api-key': reader } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      organisationId: 'org_1',
      viaAccessor: true,
      keyHeader: null,
    });
  });

  it('answers a refusal with core problem+json and runs no handler', async () => {
    const before = handled;
    const response = await app.request('/api/whoami', { headers: { 'x-api-key': 'sk_live_x' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('ApiKey realm="api", header="x-api-key"');
    expect(await response.json()).toMatchObject({ code: 'malformed_api_key', status: 401 });
    expect(handled).toBe(before);
  });

  it('checks its options when built, naming the package', () => {
    expect(() => apiKeyAuth({} as never)).toThrow(/^@keygate\/hono: /);
    expect(() => requireScopes()).toThrow(/^@keygate\/hono: requireScopes needs at least one/);
  });
});

describe('requireScopes', () => {
  it('refuses a key without the scope with 403 and runs no handler', async () => {
    const before = handled;
    const response = await app.request('/api/sites', {
      method: 'POST',
      headers: { 'x-api-key': reader },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'insufficient_scope',
      missingScopes: ['sites:write'],
    });
    expect(handled).toBe(before);
  });

  it('lets a key with the scope through', async () => {
    const response = await app.request('/api/sites', {
      method: 'POST',
      headers: { 'x-api-key': writer },
    });
    expect(response.status).toBe(201);
  });

  it('is a 500, never a pass, without apiKeyAuth in front; so is getApiKey', async () => {
    expect((await app.request('/unguarded')).status).toBe(500);
    expect((await app.request('/missing')).status).toBe(500);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      '@keygate/hono: requireScopes() runs only after apiKeyAuth()',
      '@keygate/hono: no API key on this request; is apiKeyAuth() in front of it?',
    ]);
  });
});

describe('quotas', () => {
  it('writes the RateLimit and credit fields on 200 and on 429', async () => {
    const metered = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
    const quotaApp = new Hono<ApiKeyEnv>();
    quotaApp.use('/api/*', apiKeyAuth({ keygate: metered }));
    quotaApp.get('/api/x', (c) => c.text('ok'));
    const { key } = await metered.keys.create({
      organisationId: 'org_q',
      name: 'metered',
      rateLimit: { limit: 1, windowMs: 60_000 },
      credits: { remaining: 5 },
    });
    const accepted = await quotaApp.request('/api/x', { headers: { 'x-api-key': key } });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('ratelimit-policy')).toBe('"key";q=1;w=60');
    expect(accepted.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    expect(accepted.headers.get('credits-remaining')).toBe('4');
    const refused = await quotaApp.request('/api/x', { headers: { 'x-api-key': key } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit')).toMatch(/^"key";r=0;t=\d+$/);
    await metered.close();
  });
});
