// The plugin's misuse and wiring: options checked at registration, guards that refuse to run
// without the plugin. That the caller's options stay untouched is tested on every adapter in
// test/http/options-untouched.test.ts.
import { createKeygate, MemoryKeyStore } from '@keygate/core';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyAuth, getApiKey, requireScopes } from './index.js';

const keygate = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
afterAll(() => keygate.close());

describe('apiKeyAuth options', () => {
  it.each([
    ['an empty object', {}],
    ['both verifier and keygate', { verifier: keygate.verifier, keygate }],
    ['a verifier that is not one', { verifier: { verify: 1 } }],
    ['a non-boolean stripHeader', { keygate, stripHeader: 'yes' }],
  ])('fails registration with a TypeError naming the package for %s', async (_name, options) => {
    const app = Fastify();
    app.register(apiKeyAuth, options as never);
    const error = await app.ready().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).message)).toMatch(/^@keygate\/fastify: /);
    await app.close();
  });

  it('is registered under its name, for Fastify 5', async () => {
    const app = Fastify();
    await app.register(apiKeyAuth, { keygate });
    expect(app.hasPlugin('@keygate/fastify')).toBe(true);
    expect(app.hasRequestDecorator('apiKey')).toBe(true);
    await app.close();
  });
});

describe('requireScopes', () => {
  it('throws a TypeError naming the package without scopes', () => {
    expect(() => requireScopes()).toThrow(/^@keygate\/fastify: requireScopes/);
  });

  it('fails the request (a 500) when the plugin did not run', async () => {
    const app = Fastify();
    let reached = false;
    app.get('/', { onRequest: requireScopes('a') }, async () => {
      reached = true;
      return {};
    });
    const response = await app.inject('/');
    expect(response.statusCode).toBe(500);
    expect(reached).toBe(false);
    await app.close();
  });
});

describe('getApiKey', () => {
  it('throws when the plugin did not run', () => {
    expect(() => getApiKey({ apiKey: null })).toThrow(/^@keygate\/fastify: no API key/);
  });
});

describe('logging', () => {
  it('sends keygate’s warnings to the app’s logger when the verifier has none', async () => {
    const lines: string[] = [];
    const store = new MemoryKeyStore();
    const failing = createKeygate({ store, lastUsed: false });
    const { key } = await failing.keys.create({ organisationId: 'org', name: 'a' });
    store.findByHash = async () => {
      throw new Error('store down');
    };
    const app = Fastify({
      logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } },
    });
    await app.register(apiKeyAuth, { keygate: failing });
    app.get('/', async () => ({}));
    const response = await app.inject({ url: '/', headers: { 'x-api-key': key } });
    expect(response.statusCode).toBe(503);
    const warnings = lines.map((line) => JSON.parse(line) as { msg: string; operation?: string });
    expect(warnings).toContainEqual(
      expect.objectContaining({ operation: 'lookup', msg: expect.stringMatching(/lookup failed/) }),
    );
    expect(lines.join('\n')).not.toContain(key);
    await app.close();
    await failing.close();
  });
});

describe('refusals', () => {
  // The body goes out as core's JSON string through a per-reply serializer that returns it as it
  // is (send-problem.ts): the app's own serializer must not wrap it, nor Fastify add a charset.
  it('send core’s body and type as they are, whatever the app serialises', async () => {
    const app = Fastify();
    app.setReplySerializer((payload) => JSON.stringify({ wrapped: payload }));
    const seen: unknown[] = [];
    app.addHook('onSend', async (_request, reply, payload) => {
      seen.push(payload);
      reply.header('x-seen', 'yes');
      return payload;
    });
    await app.register(apiKeyAuth, { keygate });
    app.get('/', async () => ({ reached: true }));
    const response = await app.inject('/');
    const missing = (await keygate.verifier.verify(undefined)) as { ok: false; error: never };
    const problem = keygate.verifier.problem(missing.error);
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers['x-seen']).toBe('yes');
    expect(response.body).toBe(problem.json);
    expect(seen).toEqual([problem.json]);
    await app.close();
  });
});
