// Reaching the Redis the tests run against (REDIS_URL), the skip rule, and cleaning up after a run.

import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** The Redis of the single-node tests. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** On CI a missing Redis fails the run; locally it skips, saying so. */
const ON_CI = process.env.CI === 'true';

/** The client options the package README recommends, with a bound on connecting as well. */
export const RECOMMENDED_OPTIONS = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 1000,
  connectTimeout: 2000,
} as const satisfies RedisOptions;

/** A namespace of its own for one test file's run, so parallel files never meet. */
export function uniqueNamespace(label: string): string {
  return `keygate-test-${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * A connected client with the recommended options. Its `error` events are kept (tests that stop
 * Redis expect them) so none reaches the console as "unhandled".
 */
export async function connectRedis(
  url: string = REDIS_URL,
  options: RedisOptions = {},
): Promise<Redis> {
  const client = new Redis(url, { ...RECOMMENDED_OPTIONS, lazyConnect: true, ...options });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * True when Redis answers at `url`. Otherwise: throws on CI, and locally prints why the suite is
 * skipped and returns false.
 */
export async function redisAvailable(suite: string, url: string = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch (error) {
    return unavailable(suite, `no Redis at ${url} (${String(error)})`);
  } finally {
    client.disconnect();
  }
}

/** True when `redis-server` and `redis-cli` are installed (same skip rule as Redis itself). */
export function redisBinariesAvailable(suite: string): boolean {
  for (const binary of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(binary, ['--version'], { timeout: 5000 });
    if (probe.status !== 0) return unavailable(suite, `${binary} is not installed`);
  }
  return true;
}

function unavailable(suite: string, reason: string): false {
  if (ON_CI) throw new Error(`${suite}: ${reason}; CI=true, so this fails instead of skipping`);
  console.warn(`\n[skip] ${suite}: ${reason}. Start Redis (or set REDIS_URL) to run it.\n`);
  return false;
}

/**
 * Deletes every key of a namespace (by pattern: acceptable in tests only), also those written by
 * a client with a `keyPrefix`. `client` itself must have no keyPrefix.
 */
export async function deleteNamespace(
  client: Redis,
  namespace: string,
  keyPrefix = '',
): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const pattern = `${keyPrefix}{${namespace}}:*`;
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
