// Child process: Fastify with keygate, without a rate limit or with a default limit counted by
// RedisRateLimiter `approximate` (never reached: the figure is the limiter's cost), the same with
// no RateLimit fields on the response (what the fields cost apart from the limiter), or counted by
// the in-memory limiter. Pinned to the server CPU by the parent. argv: a QuotaHttpVariant; env
// BENCH_KEY: the key sent.
import type { AddressInfo } from 'node:net';
import { createKeygate, MAX_RATE_LIMIT, MemoryKeyStore } from '@keygate/core';
import { RedisRateLimiter } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { serveParent } from '../children.js';
import { createKeys } from '../core/fixtures.js';
import { connectBenchRedis, removeNamespaceAndDisconnect } from './bench-redis.js';

export type QuotaHttpVariant =
  | 'keygate'
  | 'keygate-approximate'
  | 'keygate-approximate-no-fields'
  | 'keygate-memory';
const variant = process.argv[2] as QuotaHttpVariant;
const key = process.env.BENCH_KEY ?? '';
const namespace = `keygate-bench-quotas-http-${process.pid}`;
let client: Redis | undefined;

async function start(): Promise<number> {
  const store = new MemoryKeyStore();
  let rateLimiting = {};
  const rateLimit = { limit: MAX_RATE_LIMIT, windowMs: 60_000 };
  if (variant === 'keygate-approximate' || variant === 'keygate-approximate-no-fields') {
    client = await connectBenchRedis();
    rateLimiting = {
      rateLimit,
      rateLimiter: new RedisRateLimiter({ client, namespace, mode: 'approximate' }),
      ...(variant === 'keygate-approximate-no-fields' ? { rateLimitHeaders: 'none' } : {}),
    };
  } else if (variant === 'keygate-memory') {
    rateLimiting = { rateLimit };
  }
  const keygate = createKeygate({ store, ...rateLimiting });
  await createKeys(keygate, 1_000);
  // A key made the way an application makes one, then given the bench key's digest: the
  // clients' key was chosen by the parent.
  const { record } = await keygate.keys.create({ organisationId: 'org_bench', name: 'Bench key' });
  const digest = keygate.verifier.options.digester.current;
  await store.update(record.id, { hash: digest.digest(key), hashVersion: digest.version });
  const { default: Fastify } = await import('fastify');
  const { apiKeyAuth } = await import('@keygate/fastify');
  const app = Fastify({ logger: false });
  await app.register(apiKeyAuth, { keygate });
  app.get('/', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

await serveParent(
  async () => {
    if (key === '') throw new Error('BENCH_KEY is not set');
    return { port: await start() };
  },
  {
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
  },
  async () => {
    if (client !== undefined) await removeNamespaceAndDisconnect(client, namespace);
  },
);
