// After 1,000 keys are created through the key manager, no key (nor the secret part of one) appears
// anywhere in Redis: not in a key name, not in any value of any type (docs/design.md, "Storage").
import { type CreatedApiKey, createKeyManager } from '@keygate/core';
import { RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  redisAvailable,
  uniqueNamespace,
} from './support/redis-env.js';

const available = await redisAvailable('RedisKeyStore stores no plaintext');
const namespace = uniqueNamespace('plaintext');
const KEY_COUNT = 1000;
// The display prefix shows `sk_live_` and 6 body characters on purpose; the rest is the secret.
const SHOWN_LENGTH = 14;

describe.skipIf(!available)('no plaintext key in Redis', () => {
  let client: Redis;
  let store: RedisKeyStore;

  beforeAll(async () => {
    client = await connectRedis();
    store = new RedisKeyStore({ client, namespace });
  });

  afterAll(async () => {
    await store?.close();
    if (client !== undefined) {
      await deleteNamespace(client, namespace);
      client.disconnect();
    }
  });

  // Every key name and every value under the namespace, whatever its type.
  const dumpNamespace = async (): Promise<{ names: string[]; values: string[] }> => {
    const names: string[] = [];
    const values: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 500);
      cursor = next;
      names.push(...batch);
    } while (cursor !== '0');
    for (const name of names) {
      const type = await client.type(name);
      if (type === 'string') values.push((await client.get(name)) ?? '');
      else if (type === 'hash') values.push(...Object.entries(await client.hgetall(name)).flat());
      else if (type === 'zset') values.push(...(await client.zrange(name, 0, -1, 'WITHSCORES')));
      else if (type === 'set') values.push(...(await client.smembers(name)));
      else if (type === 'list') values.push(...(await client.lrange(name, 0, -1)));
      else throw new Error(`unexpected ${type} at ${name}`);
    }
    return { names, values };
  };

  it(`holds digests and display prefixes only, after creating ${KEY_COUNT} keys`, async () => {
    const manager = createKeyManager({ store });
    const created: CreatedApiKey[] = [];
    for (let start = 0; start < KEY_COUNT; start += 100) {
      const batch = Array.from({ length: 100 }, (_, index) =>
        manager.create({
          organisationId: `org_${(start + index) % 7}`,
          name: `Key ${start + index}`,
          environment: index % 2 === 0 ? 'live' : 'test',
          scopes: ['sites:read'],
          metadata: { batch: start },
        }),
      );
      created.push(...(await Promise.all(batch)));
    }

    const { names, values } = await dumpNamespace();
    // 1,000 records, 1,000 digest indexes, 7 organisation listings: nothing else was written.
    expect(names).toHaveLength(KEY_COUNT * 2 + 7);
    const haystack = [...names, ...values].join('\n');
    expect(haystack.length).toBeGreaterThan(KEY_COUNT * 100);
    for (const { key, record } of created) {
      expect(haystack.includes(key)).toBe(false);
      expect(haystack.includes(key.slice(SHOWN_LENGTH))).toBe(false);
      // What is there instead: the display prefix.
      expect(haystack.includes(record.prefix)).toBe(true);
    }
  });
});
