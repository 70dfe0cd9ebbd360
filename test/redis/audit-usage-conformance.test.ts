// The audit and usage conformance suite against the real Redis at REDIS_URL: RedisAuditSink (a
// capped stream per organisation) and the store's usage hashes, in a namespace deleted afterwards.
import type { KeyStore } from '@keygate/core';
import { runAuditUsageConformance } from '@keygate/core/testing';
import { RedisAuditSink, RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  redisAvailable,
  uniqueNamespace,
} from './support/redis-env.js';

const available = await redisAvailable('RedisAuditSink conformance');
const namespace = uniqueNamespace('audit');

describe.skipIf(!available)('RedisAuditSink and usage on a single Redis', () => {
  let client: Redis;
  const stores: KeyStore[] = [];

  const openStore = async (): Promise<KeyStore> => {
    const store = new RedisKeyStore({ client, namespace });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    client = await connectRedis();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    if (client !== undefined) {
      await deleteNamespace(client, namespace);
      client.disconnect();
    }
  });

  runAuditUsageConformance({
    name: 'RedisKeyStore and RedisAuditSink',
    createStore: openStore,
    createPeer: openStore,
    createAuditSink: () => new RedisAuditSink({ client, namespace }),
  });

  it('keeps each organisation’s stream capped, under the namespace’s hash tag', async () => {
    const audit = new RedisAuditSink({ client, namespace, maxEventsPerOrganisation: 10 });
    const organisationId = `org_${crypto.randomUUID()}`;
    for (let i = 0; i < 500; i++) {
      await audit.record({
        id: crypto.randomUUID(),
        action: 'update',
        keyId: 'k',
        keyPrefix: 'sk_live_AbCdEf',
        organisationId,
        actor: null,
        ip: null,
        at: new Date(),
      });
    }
    const key = `{${namespace}}:audit:${organisationId}`;
    // MAXLEN ~ trims whole macro nodes (100 entries by default): near the cap, far below 500.
    expect(await client.xlen(key)).toBeLessThan(250);
    expect((await audit.list({ organisationId, limit: 1000 })).events.length).toBe(
      await client.xlen(key),
    );
  });
});
