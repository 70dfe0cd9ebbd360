// The core KeyStore conformance suite against a real 3-master Redis Cluster that this file
// starts on spare ports and stops by pid: proves every script stays within one slot.
import type { KeyStore } from '@keygate/core';
import {
  makeTestRecord,
  runAuditUsageConformance,
  runKeyStoreConformance,
} from '@keygate/core/testing';
import { RedisAuditSink, RedisKeyStore } from '@keygate/redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBinariesAvailable, uniqueNamespace } from './support/redis-env.js';
import { type RedisCluster, startRedisCluster, stopRedisCluster } from './support/redis-server.js';

const available = redisBinariesAvailable('RedisKeyStore conformance (cluster)');
const namespace = uniqueNamespace('cluster');

describe.skipIf(!available)('RedisKeyStore on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  const connections: Cluster[] = [];
  const stores: KeyStore[] = [];
  let client: Cluster;

  const connectCluster = async (): Promise<Cluster> => {
    const connection = new Cluster(
      cluster!.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 2000 },
      },
    );
    connection.on('error', () => {});
    connections.push(connection);
    await connection.connect();
    return connection;
  };

  const openStore = async (): Promise<KeyStore> => {
    const store = new RedisKeyStore({
      client,
      subscriber: await connectCluster(),
      namespace,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    client = await connectCluster();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const connection of connections) connection.disconnect();
    if (cluster !== undefined) await stopRedisCluster(cluster);
  });

  it('runs on three masters, with the namespace in one slot of one of them', async () => {
    const masters = client.nodes('master');
    expect(masters).toHaveLength(3);
    const store = await openStore();
    await store.insert(makeTestRecord());
    const holding = await Promise.all(masters.map((node) => node.dbsize()));
    expect(holding.filter((count) => count > 0)).toHaveLength(1);
  });

  runKeyStoreConformance({
    name: 'RedisKeyStore (cluster)',
    createStore: openStore,
    createPeer: openStore,
  });

  // The audit streams and usage hashes sit under the namespace's hash tag too: one slot.
  runAuditUsageConformance({
    name: 'RedisKeyStore and RedisAuditSink (cluster)',
    createStore: openStore,
    createPeer: openStore,
    createAuditSink: () => new RedisAuditSink({ client, namespace }),
  });
});
