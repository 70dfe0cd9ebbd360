// A store that throws, rejects, hangs or returns garbage fails closed on every adapter: 503
// key_store_unavailable with Retry-After, never a 200 or a 401, and no unhandled rejection.
import { createKeygate, type Keygate, MemoryKeyStore } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './http-client.js';
import { failingStore, STORE_FAILURES } from './keygate-fixtures.js';
import { FRAMEWORKS } from './test-apps.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let key: string;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // A real key, so every request passes the cheap checks and reaches the store.
  const issuer = createKeygate({ store: new MemoryKeyStore(), lastUsed: false });
  ({ key } = await issuer.keys.create({ organisationId: 'org_a', name: 'k' }));
  await issuer.close();
});

afterAll(async () => {
  // Let any stray rejection surface before checking.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe.each(FRAMEWORKS)('$name', (framework) => {
  it.each(Object.entries(STORE_FAILURES))(
    'answers 503 key_store_unavailable when the store %s',
    async (_name, findByHash) => {
      const keygate: Keygate = createKeygate({
        store: failingStore(findByHash),
        storeTimeoutMs: 100,
        lastUsed: false,
        onError: () => {},
      });
      const app = await framework.start({ keygate });
      try {
        const answers = await Promise.all(
          Array.from({ length: 3 }, () =>
            send(`${app.url}/whoami`, { headers: { 'x-api-key': key } }),
          ),
        );
        for (const answer of answers) {
          expect(answer.status).toBe(503);
          expect(answer.headers['retry-after']).toBe('5');
          expect(answer.headers['content-type']).toBe('application/problem+json');
          expect(answer.json.code).toBe('key_store_unavailable');
          expect(answer.text).not.toContain(key.slice(8));
        }
        expect(app.handled()).toBe(0);
        expect(app.errors).toEqual([]);
        expect(unhandled).toEqual([]);
      } finally {
        await app.close();
        await keygate.close();
      }
    },
  );
});
