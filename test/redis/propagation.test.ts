// Two verifiers on one Redis, as two server instances: a revoke, delete or rotation made through
// one reaches the other's cache over pub/sub within 1 s (docs/design.md, "Caching and
// invalidation"). Prints the time.
import {
  createKeyManager,
  createVerifier,
  type KeyManager,
  type Verifier,
  type VerifyResult,
} from '@keygate/core';
import { RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  redisAvailable,
  uniqueNamespace,
} from './support/redis-env.js';

const available = await redisAvailable('RedisKeyStore invalidation between verifiers');
const namespace = uniqueNamespace('propagation');

// The requirement: another instance learns of the change within 1 s. Its cache would otherwise
// trust the key for 60 s, so only the invalidation channel can make it refuse in time.
const PROPAGATION_LIMIT_MS = 1000;

interface Instance {
  readonly verifier: Verifier;
  readonly manager: KeyManager;
  readonly store: RedisKeyStore;
}

describe.skipIf(!available)('invalidation between two instances sharing one Redis', () => {
  const connections: Redis[] = [];
  const instances: Instance[] = [];
  let first: Instance;
  let second: Instance;

  const startInstance = async (): Promise<Instance> => {
    const client = await connectRedis();
    const subscriber = await connectRedis();
    connections.push(client, subscriber);
    const store = new RedisKeyStore({ client, subscriber, namespace });
    const verifier = createVerifier({
      store,
      cache: { ttlMs: 60_000, negativeTtlMs: 60_000 },
      lastUsed: false,
    });
    await verifier.ready;
    const instance = { verifier, store, manager: createKeyManager({ store, verifier }) };
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    first = await startInstance();
    second = await startInstance();
  });

  afterAll(async () => {
    for (const instance of instances) {
      await instance.verifier.close();
      await instance.store.close();
    }
    if (connections[0] !== undefined) await deleteNamespace(connections[0], namespace);
    for (const connection of connections) connection.disconnect();
  });

  // Issues a key through the first instance and has the second cache it as valid.
  const cachedOnSecond = async () => {
    const created = await first.manager.create({ organisationId: 'org_grid', name: 'Grid API' });
    expect((await second.verifier.verify(created.key)).ok).toBe(true);
    expect((await second.verifier.verify(created.key)).ok).toBe(true);
    return created;
  };

  // Milliseconds from the start of `change` until the second instance refuses `key`, or
  // Infinity when it still accepts it after the limit.
  const timeUntilRefused = async (
    key: string,
    change: () => Promise<unknown>,
  ): Promise<{ ms: number; result: VerifyResult }> => {
    const started = performance.now();
    await change();
    let result = await second.verifier.verify(key);
    while (result.ok && performance.now() - started < PROPAGATION_LIMIT_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      result = await second.verifier.verify(key);
    }
    return { ms: result.ok ? Number.POSITIVE_INFINITY : performance.now() - started, result };
  };

  it('revoke on one instance: the other refuses the key within 1 s', async () => {
    const times: number[] = [];
    for (let round = 0; round < 20; round++) {
      const { key, record } = await cachedOnSecond();
      const { ms, result } = await timeUntilRefused(key, () => first.manager.revoke(record.id));
      expect(result).toMatchObject({ ok: false, error: { code: 'revoked_api_key', status: 401 } });
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    const slowest = times[times.length - 1]!;
    console.log(
      `[keygate/redis] revoke → other instance refuses: median ${median.toFixed(2)} ms, ` +
        `max ${slowest.toFixed(2)} ms over ${times.length} rounds (loopback, includes the revoke's own writes)`,
    );
  });

  it('delete on one instance: the other answers invalid_api_key within 1 s', async () => {
    const { key, record } = await cachedOnSecond();
    const { result } = await timeUntilRefused(key, () => first.manager.delete(record.id));
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_api_key', status: 401 } });
  });

  it('rotation without grace on one instance: the other refuses the old key within 1 s', async () => {
    const { key, record } = await cachedOnSecond();
    let successor = '';
    const { result } = await timeUntilRefused(key, async () => {
      successor = (await first.manager.rotate(record.id)).key;
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'revoked_api_key' } });
    expect((await second.verifier.verify(successor)).ok).toBe(true);
  });
});
