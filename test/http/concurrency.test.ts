// 1,000 concurrent requests with 100 keys over 100 organisations, on every adapter: each answer
// carries its own key's organisation and no other's (no context leaks between requests).
import type { Keygate } from '@keygate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './http-client.js';
import { testKeygate } from './keygate-fixtures.js';
import { FRAMEWORKS } from './test-apps.js';

const KEYS = 100;
const REQUESTS = 1_000;

let keygate: Keygate;
const issued: { key: string; organisationId: string; keyId: string }[] = [];

beforeAll(async () => {
  // Organisations named org_n… resolve as active in the fixture.
  ({ keygate } = testKeygate());
  for (let index = 0; index < KEYS; index++) {
    const organisationId = `org_n${String(index).padStart(3, '0')}`;
    const { key, record } = await keygate.keys.create({ organisationId, name: `key ${index}` });
    issued.push({ key, organisationId, keyId: record.id });
  }
});

afterAll(() => keygate.close());

describe.each(FRAMEWORKS)('$name', (framework) => {
  it(`answers ${REQUESTS} concurrent requests each with its own organisation`, async () => {
    // A fresh verifier per framework, so the first requests of every key race on a cold cache.
    const { keygate: cold } = testKeygate({ store: keygate.verifier.options.store });
    const app = await framework.start({ keygate: cold });
    try {
      const answers = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, index) => {
          const expected = issued[index % KEYS]!;
          const answer = await send(`${app.url}/whoami`, {
            headers: { 'x-api-key': expected.key },
          });
          return { expected, answer };
        }),
      );
      for (const { expected, answer } of answers) {
        expect(answer.status).toBe(200);
        expect(answer.json.organisationId).toBe(expected.organisationId);
        expect(answer.json.keyId).toBe(expected.keyId);
      }
      expect(app.handled()).toBe(REQUESTS);
    } finally {
      await app.close();
      await cold.close();
    }
  });
});
