// RedisRateLimiter against real Redis: two verifiers (two server instances) on one Redis share a
// key's limit exactly in strict mode and within 10% in approximate mode; the window frees
// requests again; a Cluster keeps every counter of a request in one slot; a Redis outage fails
// closed or open as configured and recovers by itself.
import { rmSync } from 'node:fs';
import {
  createKeygate,
  type Keygate,
  MemoryKeyStore,
  type RateLimiter,
  type VerifyResult,
} from '@keygate/core';
import { RedisKeyStore, RedisRateLimiter } from '@keygate/redis';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  redisAvailable,
  redisBinariesAvailable,
  uniqueNamespace,
} from './support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisCluster,
  startRedisServer,
  stopRedisCluster,
  stopRedisServer,
} from './support/redis-server.js';

const available = await redisAvailable('RedisRateLimiter');
const binaries = available && redisBinariesAvailable('RedisRateLimiter outage and Cluster');

// A clock the test moves: the limiters see it instead of Date.now(), so windows are exact.
let clock = Date.UTC(2026, 0, 1, 12, 0, 0);
function onTestClock(limiter: RedisRateLimiter): RateLimiter {
  return {
    consume: (requests, cost) => limiter.consume(requests, cost, clock),
    close: () => limiter.close(),
  };
}

function codeOf(result: VerifyResult): string {
  return result.ok ? 'ok' : result.error.code;
}

/** 300 requests, 20 at a time, alternating between the instances; how many were accepted. */
async function spread(instances: readonly Keygate[], key: string, total = 300): Promise<number> {
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    while (next < total) {
      const instance = instances[next++ % instances.length]!;
      const result = await instance.verifier.verify(key);
      if (result.ok) accepted++;
      else expect(codeOf(result)).toBe('rate_limited');
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return accepted;
}

describe.skipIf(!available)('RedisRateLimiter on one Redis, two instances', () => {
  const namespace = uniqueNamespace('rate-limit');
  let client: Redis;
  const open: Keygate[] = [];

  const instance = (limiter: RedisRateLimiter): Keygate => {
    const keygate = createKeygate({
      store: new RedisKeyStore({ client, prefix: namespace }),
      rateLimiter: onTestClock(limiter),
      onError: () => {},
    });
    open.push(keygate);
    return keygate;
  };

  beforeAll(async () => {
    client = await connectRedis();
  });

  afterAll(async () => {
    for (const keygate of open) await keygate.close();
    await deleteNamespace(client, namespace);
    client.disconnect();
  });

  it('strict: exactly 100 of 300 requests for a key limited to 100 a minute, then the window frees it', async () => {
    const [first, second] = [1, 2].map(() =>
      instance(new RedisRateLimiter({ client, prefix: namespace })),
    );
    const { key } = await first!.keys.create({
      organisationId: 'org_strict',
      name: 'strict',
      rateLimit: { limit: 100, windowMs: 60_000 },
    });
    expect(await spread([first!, second!], key)).toBe(100);
    const refused = await second!.verifier.verify(key);
    expect(codeOf(refused)).toBe('rate_limited');
    expect(!refused.ok && second!.verifier.problem(refused.error).headers.ratelimit).toMatch(
      /^"key";r=0;t=\d+$/,
    );
    clock += 120_000; // two windows later nothing of these counts is left
    expect(await spread([first!, second!], key, 150)).toBe(100);
  });

  it('approximate: at most 110 of 300 for a limit of 100, with far fewer calls than requests', async () => {
    const limiters = [1, 2].map(
      () => new RedisRateLimiter({ client, prefix: namespace, mode: 'approximate' }),
    );
    const [first, second] = limiters.map(instance);
    const { key } = await first!.keys.create({
      organisationId: 'org_approximate',
      name: 'approximate',
      rateLimit: { limit: 100, windowMs: 60_000 },
    });
    const accepted = await spread([first!, second!], key);
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(accepted).toBeLessThanOrEqual(110);
    const calls = limiters.reduce((sum, limiter) => sum + limiter.redisCalls, 0);
    expect(calls).toBeLessThan(300);
  });

  it('approximate: one Redis call per many requests far from the limit', async () => {
    const limiter = new RedisRateLimiter({ client, prefix: namespace, mode: 'approximate' });
    const keygate = instance(limiter);
    const { key } = await keygate.keys.create({
      organisationId: 'org_busy',
      name: 'busy',
      rateLimit: { limit: 1_000_000, windowMs: 60_000 },
    });
    await keygate.verifier.verify(key); // loads the cache
    const before = limiter.redisCalls;
    // 1,000 requests over ~1 s (1k req/s), as a busy instance would see them.
    for (let batch = 0; batch < 20; batch++) {
      for (let index = 0; index < 50; index++) {
        expect(codeOf(await keygate.verifier.verify(key))).toBe('ok');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await limiter.close();
    expect(limiter.redisCalls - before).toBeLessThanOrEqual(100); // ≤ 1 per 10 requests
  });

  it('counts every limit of a request in one atomic script: an organisation limit shared by keys', async () => {
    const limiter = new RedisRateLimiter({ client, prefix: namespace });
    const keygate = createKeygate({
      store: new RedisKeyStore({ client, prefix: namespace }),
      rateLimiter: onTestClock(limiter),
      organisationRateLimit: () => ({ limit: 5, windowMs: 60_000 }),
    });
    open.push(keygate);
    const a = await keygate.keys.create({ organisationId: 'org_shared', name: 'a' });
    const b = await keygate.keys.create({ organisationId: 'org_shared', name: 'b' });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => keygate.verifier.verify(index % 2 ? a.key : b.key)),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(5);
    const keys = await client.keys(`{${namespace}}:rl:organisation:org_shared:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});

describe.skipIf(!binaries)('RedisRateLimiter when Redis goes away', () => {
  const dir = makeTempDir('rate-limit-outage');
  let server: RedisServer | undefined;
  let port: number;
  let client: Redis;
  const namespace = uniqueNamespace('rate-limit-outage');

  beforeAll(async () => {
    port = await findFreePort();
    server = await startRedisServer(port, dir);
    client = await connectRedis(server.url, {
      retryStrategy: (times: number) => Math.min(times * 20, 200),
    });
  });

  afterAll(async () => {
    client?.disconnect();
    if (server !== undefined) await stopRedisServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails closed (503) by default and fails open when told, then recovers by itself', async () => {
    // Keys in memory: only the limiter's Redis goes away.
    const errors: unknown[] = [];
    const closed = createKeygate({
      store: new MemoryKeyStore(),
      rateLimit: { limit: 1000, windowMs: 60_000 },
      rateLimiter: new RedisRateLimiter({
        client,
        prefix: namespace,
        onError: (e) => errors.push(e),
      }),
      storeTimeoutMs: 500,
    });
    const opened = createKeygate({
      store: closed.verifier.options.store,
      rateLimit: { limit: 1000, windowMs: 60_000 },
      rateLimiter: new RedisRateLimiter({
        client,
        prefix: namespace,
        onStoreError: 'fail-open',
        onError: () => {},
      }),
      storeTimeoutMs: 500,
    });
    const { key } = await closed.keys.create({ organisationId: 'org', name: 'outage' });
    expect(codeOf(await closed.verifier.verify(key))).toBe('ok');
    expect(codeOf(await opened.verifier.verify(key))).toBe('ok');

    await stopRedisServer(server!);
    server = undefined;
    const down = await closed.verifier.verify(key);
    expect(codeOf(down)).toBe('key_store_unavailable');
    expect(!down.ok && down.error.status).toBe(503);
    expect(errors.length).toBeGreaterThan(0);
    const open = await opened.verifier.verify(key);
    expect(codeOf(open)).toBe('ok');
    expect(open.ok && open.quota?.rateLimits).toEqual([]);

    server = await startRedisServer(port, dir);
    const deadline = Date.now() + 10_000;
    let answer = '';
    while (Date.now() < deadline) {
      answer = codeOf(await closed.verifier.verify(key));
      if (answer === 'ok') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answer).toBe('ok');
    await closed.close();
    await opened.close();
  });
});

describe.skipIf(!binaries)('RedisRateLimiter on a Redis Cluster', () => {
  it("keeps a request's counters in the namespace's slot: one script, exact limit", {
    timeout: 180_000,
  }, async () => {
    const cluster = await startRedisCluster(3);
    const namespace = uniqueNamespace('rate-limit-cluster');
    const client = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
      { enableOfflineQueue: true, redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2000 } },
    );
    client.on('error', () => {});
    try {
      const keygate = createKeygate({
        store: new RedisKeyStore({ client, prefix: namespace, onWarning: () => {} }),
        rateLimiter: onTestClock(new RedisRateLimiter({ client, prefix: namespace })),
        organisationRateLimit: () => ({ limit: 20, windowMs: 60_000 }),
      });
      const { key } = await keygate.keys.create({
        organisationId: 'org_cluster',
        name: 'cluster',
        rateLimit: { limit: 10, windowMs: 60_000 },
      });
      expect(await spread([keygate], key, 30)).toBe(10);
      await keygate.close();
    } finally {
      client.disconnect();
      await stopRedisCluster(cluster);
    }
  });
});
