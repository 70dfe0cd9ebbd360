// Requests written byte by byte on a socket (net.connect), as no well-behaved client would send
// them: repeated key headers, odd name casing, huge values, non-ASCII and control bytes, the key
// in Authorization or the query string. Never a 5xx, never a crash, never the key echoed back.
import type { Keygate } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYGATE_SERVE } from '../serve/support/serve-test-app.js';
import { sendRaw } from './http-client.js';
import { testKeygate } from './keygate-fixtures.js';
import { FRAMEWORKS, type TestApp } from './test-apps.js';

let keygate: Keygate;
let key: string;
let otherKey: string;

beforeAll(async () => {
  ({ keygate } = testKeygate());
  ({ key } = await keygate.keys.create({ organisationId: 'org_a', name: 'raw' }));
  ({ key: otherKey } = await keygate.keys.create({ organisationId: 'org_b', name: 'other' }));
});

afterAll(() => keygate.close());

const get = (path: string, ...headers: string[]) =>
  [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers].join('\r\n');

// Every adapter, and `keygate serve`, which proxies send the client's headers on to.
describe.each([...FRAMEWORKS, KEYGATE_SERVE])('$name', (framework) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await framework.start({ keygate });
  });

  afterAll(() => app.close());

  const expectNoKey = (text: string) => {
    expect(text).not.toContain(key.slice(8));
    expect(text).not.toContain(otherKey.slice(8));
  };

  it('accepts the header name in any case', async () => {
    for (const name of ['x-api-key', 'X-API-KEY', 'X-Api-Key', 'x-API-key']) {
      const answer = await sendRaw(app.url, get('/whoami', `${name}: ${key}`));
      expect(answer.status, name).toBe(200);
      // In the body of an adapter's route, in a header of keygate serve's answer.
      expect(answer.text).toMatch(/"organisationId":"org_a"|x-keygate-organisation-id: org_a/);
      expectNoKey(answer.text);
    }
  });

  it.each([
    ['two different keys', (k: string, o: string) => [`x-api-key: ${k}`, `x-api-key: ${o}`]],
    ['the same key twice', (k: string) => [`x-api-key: ${k}`, `x-api-key: ${k}`]],
    [
      'the same key twice in different cases',
      (k: string) => [`x-api-key: ${k}`, `X-API-Key: ${k}`],
    ],
    ['an empty header and a key', (k: string) => ['x-api-key: ', `x-api-key: ${k}`]],
    ['a key and an empty header', (k: string) => [`x-api-key: ${k}`, 'x-api-key:']],
  ])('refuses %s with malformed_api_key', async (_name, headers) => {
    const handled = app.handled();
    const answer = await sendRaw(app.url, get('/whoami', ...headers(key, otherKey)));
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('"code":"malformed_api_key"');
    expectNoKey(answer.text);
    expect(app.handled()).toBe(handled);
  });

  it('names the repeated header in the detail', async () => {
    const answer = await sendRaw(app.url, get('/whoami', `x-api-key: ${key}`, `x-api-key: ${key}`));
    expect(answer.text).toContain('Send exactly one x-api-key header');
  });

  it.each([1024, 8192, 16_000])('refuses a %i-byte value without a 5xx', async (size) => {
    const value = `${key}${'A'.repeat(size - key.length)}`;
    const answer = await sendRaw(app.url, get('/whoami', `x-api-key: ${value}`));
    // Node itself refuses headers past its 16 KiB limit with 431 before any adapter runs.
    expect([401, 431]).toContain(answer.status);
    if (answer.status === 401) expect(answer.text).toContain('"code":"malformed_api_key"');
    expectNoKey(answer.text);
  });

  it.each([
    ['Latin-1 bytes', Buffer.from(`x-api-key: sk_live_caf\xe9\xe9`, 'latin1')],
    ['UTF-8 text', Buffer.from('x-api-key: sk_live_日本語キー', 'utf8')],
    ['a NUL byte', Buffer.from(`x-api-key: ${'sk_live_'}\x00abc`, 'latin1')],
    ['a control byte', Buffer.from('x-api-key: sk_live_\x01\x7f', 'latin1')],
    ['a bare carriage return', Buffer.from(`x-api-key: ${'sk_live_'}a\rb`, 'latin1')],
  ])('refuses a value with %s without a 5xx', async (_name, header) => {
    const head = Buffer.concat([Buffer.from(`${get('/whoami')}\r\n`, 'latin1'), header]);
    const answer = await sendRaw(app.url, head);
    // Node's parser answers 400 to bytes that HTTP forbids; the rest reach keygate.
    expect([400, 401]).toContain(answer.status);
    if (answer.status === 401) expect(answer.text).toContain('"code":"malformed_api_key"');
  });

  it('answers a key sent as a bearer token with missing_api_key and the hint', async () => {
    const answer = await sendRaw(app.url, get('/whoami', `Authorization: Bearer ${key}`));
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('"code":"missing_api_key"');
    expect(answer.text).toContain('not in the Authorization header');
    expectNoKey(answer.text);
  });

  it.each(['x-api-key', 'api_key', 'apiKey', 'key'])(
    'never accepts the key in the query string (?%s=)',
    async (parameter) => {
      const answer = await sendRaw(app.url, get(`/whoami?${parameter}=${key}`));
      expect(answer.status).toBe(401);
      expect(answer.text).toContain('"code":"missing_api_key"');
      expectNoKey(answer.text);
    },
  );

  it('is still up and answering after all of the above', async () => {
    const answer = await sendRaw(app.url, get('/whoami', `x-api-key: ${key}`));
    expect(answer.status).toBe(200);
    expect(app.errors).toEqual([]);
  });
});
