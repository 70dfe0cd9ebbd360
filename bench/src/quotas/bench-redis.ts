// The Redis connection of the quota benchmarks: the options the @keygate/redis README recommends,
// and the removal of everything a run wrote under its own namespace.
import { Redis } from 'ioredis';

/** A connected client to `REDIS_URL` (default `redis://127.0.0.1:6379`). */
export async function connectBenchRedis(): Promise<Redis> {
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes every key under `{namespace}` and disconnects. */
export async function removeNamespaceAndDisconnect(
  client: Redis,
  namespace: string,
): Promise<void> {
  try {
    let cursor = '0';
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `{${namespace}}*`, 'COUNT', 1000);
      if (found.length > 0) await client.del(...found);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
