import { describe, expect, it } from 'vitest';
import { createFetchAuthenticator, headersWithoutApiKey } from './fetch.js';
import { createKeygate } from './keygate.js';
import { MemoryKeyStore } from './memory-key-store.js';

async function setup() {
  const keygate = createKeygate({ store: new MemoryKeyStore() });
  const { key } = await keygate.keys.create({
    organisationId: 'org_1',
    name: 'a',
    scopes: ['read'],
  });
  return { keygate, key };
}

describe('createFetchAuthenticator', () => {
  it('hands back the context for a valid key', async () => {
    const { keygate, key } = await setup();
    const auth = await createFetchAuthenticator(keygate.verifier)(
      new Request('http://localhost/api', { headers: { 'x-api-key': key } }),
    );
    expect(auth.ok && auth.context.organisationId).toBe('org_1');
  });

  it('answers a refusal with a ready problem response', async () => {
    const { keygate } = await setup();
    const auth = await createFetchAuthenticator(keygate.verifier)(
      new Request('http://localhost/api'),
    );
    expect(auth.ok).toBe(false);
    if (auth.ok) return;
    expect(auth.response.status).toBe(401);
    expect(auth.response.headers.get('content-type')).toBe('application/problem+json');
    expect(auth.response.headers.get('www-authenticate')).toBe(
      'ApiKey realm="api", header="x-api-key"',
    );
    expect(await auth.response.json()).toMatchObject({ code: 'missing_api_key' });
  });

  it('gives the Authorization hint, refuses repeated headers and checks scopes', async () => {
    const { keygate, key } = await setup();
    const authenticate = createFetchAuthenticator(keygate.verifier, { requiredScopes: ['write'] });
    const bearer = await authenticate(
      new Request('http://localhost/', { headers: { authorization: `Bearer ${key}` } }),
    );
    expect(!bearer.ok && bearer.error.detail).toMatch(/not in the Authorization header/);
    const headers = new Headers();
    headers.append('x-api-key', key);
    headers.append('x-api-key', key);
    const twice = await authenticate(new Request('http://localhost/', { headers }));
    expect(!twice.ok && twice.error.code).toBe('malformed_api_key');
    const scoped = await authenticate(
      new Request('http://localhost/', { headers: { 'x-api-key': key } }),
    );
    expect(!scoped.ok && scoped.response.status).toBe(403);
  });

  it('strips the key header for forwarding', () => {
    const headers = headersWithoutApiKey(
      new Headers({ 'x-api-key': 'secret', accept: 'json' }),
      'x-api-key',
    );
    expect(headers.has('x-api-key')).toBe(false);
    expect(headers.get('accept')).toBe('json');
  });
});
