// apiKeyAuth() and requireScopes() misuse and wiring: options checked at construction, guards
// that refuse to run without the middleware. That the caller's options stay untouched is tested
// on every adapter in test/http/options-untouched.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import express from 'express';
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
    ['a non-boolean stripHeader', { keygate, stripHeader: 'no' }],
    ['empty requiredScopes', { keygate, requiredScopes: [] }],
    ['a non-string scope', { keygate, requiredScopes: [7] }],
  ])('throws a TypeError naming the package for %s', (_name, options) => {
    expect(() => apiKeyAuth(options as never)).toThrow(TypeError);
    expect(() => apiKeyAuth(options as never)).toThrow(/^@keygate\/express: /);
  });

  it('accepts a verifier as well as a keygate', () => {
    expect(apiKeyAuth({ verifier: keygate.verifier })).toBeTypeOf('function');
  });
});

describe('requireScopes', () => {
  it('throws a TypeError naming the package without scopes', () => {
    expect(() => requireScopes()).toThrow(/^@keygate\/express: requireScopes/);
    expect(() => requireScopes('')).toThrow(TypeError);
  });

  it('fails the request with an error (a 500) when apiKeyAuth did not run', async () => {
    const app = express();
    let reached = false;
    const errors: unknown[] = [];
    app.get('/', requireScopes('a'), (_req, res) => {
      reached = true;
      res.end();
    });
    app.use((error: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      errors.push(error);
      res.status(500).end();
    });
    const server = createServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status).toBe(500);
      expect(reached).toBe(false);
      expect(String(errors[0])).toMatch(/requireScopes\(\) runs only after apiKeyAuth\(\)/);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

describe('getApiKey', () => {
  it('throws when the middleware did not run', () => {
    expect(() => getApiKey({})).toThrow(/^@keygate\/express: no API key on this request/);
  });
});
