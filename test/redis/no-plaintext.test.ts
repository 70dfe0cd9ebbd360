// After 1,000 keys are created through the key manager, no key (nor the secret part of one) appears
// anywhere in Redis: not in a key name, not in any value of any type, audit streams and usage
// counts included (docs/design.md, "Storage"; docs/observability.md).
import { type CreatedApiKey, createKeygate, createKeyManager } from '@keygate/core';
import { RedisAuditSink, RedisKeyStore } from '@keygate/redis';
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
  const dumpNamespace = async (
    ns: string = namespace,
  ): Promise<{ names: string[]; values: string[] }> => {
    const names: string[] = [];
    const values: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `{${ns}}:*`, 'COUNT', 500);
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
      else if (type === 'stream') {
        for (const [id, fields] of await client.xrange(name, '-', '+')) values.push(id, ...fields);
      } else throw new Error(`unexpected ${type} at ${name}`);
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

  it('holds no key in the audit streams and usage hashes either', async () => {
    const observed = uniqueNamespace('plaintext-audit');
    const auditStore = new RedisKeyStore({ client, namespace: observed });
    const keygate = createKeygate({
      store: auditStore,
      audit: new RedisAuditSink({ client, namespace: observed }),
      lastUsed: false,
    });
    try {
      const secrets: string[] = [];
      for (let index = 0; index < 20; index++) {
        const { key, record } = await keygate.keys.create(
          { organisationId: `org_${index % 3}`, name: `Audited ${index}` },
          { actor: 'admin:tok_1', ip: '203.0.113.1' },
        );
        secrets.push(key);
        await keygate.verifier.verify(key);
        await keygate.verifier.verify(key);
        if (index % 2 === 0) secrets.push((await keygate.keys.rotate(record.id)).key);
        else await keygate.keys.revoke(record.id);
      }
      await keygate.verifier.flushUsage();
      const { names, values } = await dumpNamespace(observed);
      expect(names.some((name) => name.includes(':audit:'))).toBe(true);
      expect(names.some((name) => name.includes(':usage:'))).toBe(true);
      const haystack = [...names, ...values].join('\n');
      for (const key of secrets) {
        expect(haystack.includes(key)).toBe(false);
        expect(haystack.includes(key.slice(SHOWN_LENGTH))).toBe(false);
      }
    } finally {
      await keygate.close();
      await deleteNamespace(client, observed);
    }
  });
});
