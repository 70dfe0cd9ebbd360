// apiKeyAuth() and requireScopes() misuse and wiring: options checked at construction, the
// caller's options untouched, guards that refuse to run without the middleware.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import Koa from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyAuth, getApiKey, requireScopes } from './index.js';

const keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
afterAll(() => keygate.close());

describe('apiKeyAuth options', () => {
  it.each([
    ['nothing', undefined],
    ['an empty object', {}],
    ['both verifier and keygate', { verifier: keygate.verifier, keygate }],
    ['a verifier that is not one', { verifier: { verify: 1 } }],
    ['a non-boolean stripHeader', { keygate, stripHeader: 1 }],
    ['empty requiredScopes', { keygate, requiredScopes: [] }],
  ])('throws a TypeError naming the package for %s', (_name, options) => {
    expect(() => apiKeyAuth(options as never)).toThrow(TypeError);
    expect(() => apiKeyAuth(options as never)).toThrow(/^@keygate\/koa: /);
  });

  it('never mutates the options object, at construction or on a request', async () => {
    // Not frozen: a frozen object would make any mutation throw or vanish, and the checks
    // below could not fail.
    const requiredScopes = ['b', 'a'];
    const options = { keygate, requiredScopes, stripHeader: false, cost: 1 };
    const before = { ...options, requiredScopes: [...requiredScopes] };
    const app = new Koa();
    app.use(apiKeyAuth(options));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { key } = await keygate.keys.create({
        organisationId: 'org',
        name: 'n',
        scopes: ['a'],
      });
      const headers = { 'x-api-key': key };
      expect((await fetch(`http://127.0.0.1:${port}/`, { headers })).status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(401);
    } finally {
      server.close();
      server.closeAllConnections();
    }
    expect(options).toStrictEqual(before);
    expect(options.requiredScopes).toBe(requiredScopes);
  });
});

describe('requireScopes', () => {
  it('throws a TypeError naming the package without scopes', () => {
    expect(() => requireScopes()).toThrow(/^@keygate\/koa: requireScopes/);
  });

  it('throws (a 500) instead of calling next when apiKeyAuth did not run', () => {
    let reached = false;
    const guard = requireScopes('a');
    const ctx = { state: {} } as Parameters<typeof guard>[0];
    expect(() =>
      guard(ctx, async () => {
        reached = true;
      }),
    ).toThrow(/requireScopes\(\) runs only after apiKeyAuth\(\)/);
    expect(reached).toBe(false);
  });
});

describe('getApiKey', () => {
  it('throws when the middleware did not run', () => {
    expect(() => getApiKey({ state: {} })).toThrow(/^@keygate\/koa: no API key on this request/);
  });
});
