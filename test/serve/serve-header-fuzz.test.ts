// Header fuzz for `keygate serve`: random bytes as the key and as the forwarded method and URI,
// written raw on a socket. Whatever arrives, the answer is a 2xx, 400 (Node's parser), 401, 403 or
// 431, never a 5xx, never the key echoed back, and the server keeps answering.
import { createForwardAuthHandler, parseServeConfig, storeHealth } from '@keygate/cli';
import type { Keygate } from '@keygate/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../http/http-client.js';
import { testKeygate } from '../http/keygate-fixtures.js';
import { listenTestApp, type TestApp } from '../http/test-apps.js';

let keygate: Keygate;
let key: string;
let app: TestApp;

beforeAll(async () => {
  ({ keygate } = testKeygate());
  ({ key } = await keygate.keys.create({ organisationId: 'org_a', name: 'fuzz', scopes: ['r'] }));
  const verifier = keygate.verifier;
  app = await listenTestApp(
    createForwardAuthHandler({
      verifier,
      config: parseServeConfig({ routes: [{ path: '/admin', scopes: ['admin'] }] }, 'fuzz'),
      health: storeHealth(verifier.options.store, 1_000),
    }),
    () => 0,
    [],
  );
});

afterAll(async () => {
  await app.close();
  await keygate.close();
});

// Bytes a header value may or may not hold: printable ASCII, Latin-1, controls, UTF-8.
const headerBytes = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

function request(headers: readonly string[]): Buffer {
  return Buffer.concat([
    Buffer.from('GET /check HTTP/1.1\r\nHost: 127.0.0.1', 'latin1'),
    ...headers.map((header) => Buffer.from(`\r\n${header}`, 'latin1')),
  ]);
}

describe('keygate serve under header fuzz', () => {
  it('answers any key header value without a 5xx or an echo', async () => {
    await fc.assert(
      fc.asyncProperty(headerBytes, async (value) => {
        const answer = await sendRaw(app.url, request([`x-api-key: ${value}`]));
        expect([400, 401, 431]).toContain(answer.status);
        expect(answer.text).not.toContain(key.slice(8));
      }),
      { numRuns: 150 },
    );
  });

  it('answers any forwarded method and URI with a valid key: 200, 403 or 400, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(headerBytes, headerBytes, async (uri, method) => {
        const answer = await sendRaw(
          app.url,
          request([
            `x-api-key: ${key}`,
            `x-forwarded-uri: ${uri}`,
            `x-forwarded-method: ${method}`,
          ]),
        );
        expect([200, 400, 403]).toContain(answer.status);
        expect(answer.text).not.toContain(key.slice(8));
      }),
      { numRuns: 150 },
    );
  });

  it('puts every spelling of /admin under its rule', async () => {
    const spelling = fc
      .array(fc.constantFrom('/', '//', '/./', '/x/../', '\\', '/%2e/', '/%2F'), {
        minLength: 1,
        maxLength: 4,
      })
      .chain((prefixes) =>
        fc
          .constantFrom('admin', 'adm%69n', '%61dmin', 'admin/', 'admin/x', 'admin?q=1')
          .map((tail) => `${prefixes.join('')}${tail}`),
      );
    await fc.assert(
      fc.asyncProperty(spelling, async (uri) => {
        const answer = await sendRaw(
          app.url,
          request([`x-api-key: ${key}`, `x-original-uri: ${uri}`]),
        );
        expect(answer.status, uri).toBe(403);
      }),
      { numRuns: 100 },
    );
  });

  it('is still up afterwards', async () => {
    expect((await sendRaw(app.url, request([`x-api-key: ${key}`]))).status).toBe(200);
  });
});
