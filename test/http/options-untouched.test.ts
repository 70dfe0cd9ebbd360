// Every adapter leaves the caller's options object as it was: when it is built and while it
// serves requests. The options are not frozen (a frozen object would make a mutation throw or
// vanish, and the checks could not fail); they are compared with a copy taken before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './http-client.js';
import { testKeygate } from './keygate-fixtures.js';
import { FRAMEWORKS } from './test-apps.js';

const { keygate } = testKeygate();
let key: string;

beforeAll(async () => {
  ({ key } = await keygate.keys.create({ organisationId: 'org_a', name: 'n', scopes: ['a'] }));
});

afterAll(() => keygate.close());

describe.each(FRAMEWORKS)('$name', (framework) => {
  it('never mutates the options object, at construction or on a request', async () => {
    const requiredScopes = ['b', 'a'];
    const options = { keygate, requiredScopes, stripHeader: false, cost: 1 };
    const before = { ...options, requiredScopes: [...requiredScopes] };
    const app = await framework.start(options);
    try {
      // Refused for lacking scope b, and for sending no key: both paths have run.
      expect((await send(`${app.url}/whoami`, { headers: { 'x-api-key': key } })).status).toBe(403);
      expect((await send(`${app.url}/whoami`)).status).toBe(401);
    } finally {
      await app.close();
    }
    expect(options).toStrictEqual(before);
    expect(options.requiredScopes).toBe(requiredScopes);
  });
});
