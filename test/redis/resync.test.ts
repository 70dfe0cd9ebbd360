// A dropped pub/sub connection (CLIENT KILL TYPE pubsub, on a redis-server this file starts):
// ioredis reconnects and re-subscribes by itself, and the store tells its subscribers that the
// channel was lost and is back, so that a verifier empties its cache (events were missed).
import { rmSync } from 'node:fs';
import { createKeyManager, createVerifier, type SubscriptionMonitor } from '@keygate/core';
import { RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, redisBinariesAvailable, uniqueNamespace } from './support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from './support/redis-server.js';

const available = redisBinariesAvailable('RedisKeyStore pub/sub resync');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.skipIf(!available)('a dropped Redis pub/sub connection', () => {
  const dir = makeTempDir('resync');
  let server: RedisServer;
  let client: Redis;
  let subscriber: Redis;
  let store: RedisKeyStore;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = await startRedisServer(await findFreePort(), dir);
    const reconnect = { retryStrategy: (times: number) => Math.min(times * 50, 500) };
    client = await connectRedis(server.url, reconnect);
    subscriber = await connectRedis(server.url, reconnect);
    store = new RedisKeyStore({
      client,
      subscriber,
      prefix: uniqueNamespace('resync'),
      onWarning: (message) => warnings.push(message),
    });
  });

  afterAll(async () => {
    await store?.close();
    client?.disconnect();
    subscriber?.disconnect();
    if (server !== undefined) await stopRedisServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the subscriber it lost the channel and that it is back, then delivers again', async () => {
    const told: string[] = [];
    const monitor: SubscriptionMonitor = {
      onLost: () => told.push('lost'),
      onResync: () => told.push('resync'),
    };
    const events: string[] = [];
    const unsubscribe = await store.subscribe!((event) => events.push(event.id), monitor);
    await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await waitFor(() => told.includes('resync'), 5_000, 'the resync');
    expect(told).toEqual(['lost', 'resync']);
    expect(warnings.some((warning) => warning.includes('dropped'))).toBe(true);
    expect(warnings.some((warning) => warning.includes('back'))).toBe(true);
    // The channel holds again: a change made now reaches the subscriber.
    const manager = createKeyManager({ store });
    const { record } = await manager.create({ organisationId: 'org', name: 'after' });
    await manager.revoke(record.id);
    await waitFor(() => events.includes(record.id), 1_000, 'the event after the resync');
    await unsubscribe();
  });

  it('makes a verifier empty its cache once the channel is back', async () => {
    const operations: string[] = [];
    const verifier = createVerifier({
      store,
      onError: (_error, operation) => operations.push(operation),
    });
    await verifier.ready;
    const { key } = await createKeyManager({ store }).create({ organisationId: 'org', name: 'a' });
    expect((await verifier.verify(key)).ok).toBe(true);
    expect(verifier.verify(key)).not.toBeInstanceOf(Promise); // cached
    await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    // Emptied once the subscription is back: the next verification reads Redis again.
    await waitFor(() => verifier.verify(key) instanceof Promise, 5_000, 'the cache to empty');
    expect(operations).toContain('subscribe');
    await verifier.close();
  });
});
