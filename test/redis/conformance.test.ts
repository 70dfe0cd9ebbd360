// The core KeyStore conformance suite against the real Redis at REDIS_URL, in a namespace of its
// own that is deleted afterwards.
import type { KeyStore } from '@keygate/core';
import { runKeyStoreConformance } from '@keygate/core/testing';
import { RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  redisAvailable,
  uniqueNamespace,
} from './support/redis-env.js';

const available = await redisAvailable('RedisKeyStore conformance (single node)');
const namespace = uniqueNamespace('conformance');

describe.skipIf(!available)('RedisKeyStore on a single Redis', () => {
  let client: Redis;
  const connections: Redis[] = [];
  const stores: KeyStore[] = [];

  // Each store gets its own subscriber connection, like a separate server instance would.
  const openStore = async (): Promise<KeyStore> => {
    const subscriber = await connectRedis();
    connections.push(subscriber);
    const store = new RedisKeyStore({ client, subscriber, namespace });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    client = await connectRedis();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const connection of connections) connection.disconnect();
    if (client !== undefined) {
      await deleteNamespace(client, namespace);
      client.disconnect();
    }
  });

  runKeyStoreConformance({
    name: 'RedisKeyStore (single node)',
    createStore: openStore,
    createPeer: openStore,
  });
});
