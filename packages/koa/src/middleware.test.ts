// apiKeyAuth() and requireScopes() misuse and wiring: options checked at construction, guards
// that refuse to run without the middleware. That the caller's options stay untouched is tested
// on every adapter in test/http/options-untouched.test.ts.
import { createKeygate, MemoryKeyStore } from '@keygate/core';
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
