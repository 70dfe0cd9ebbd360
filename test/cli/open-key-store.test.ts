// openKeyStore as servers use it: with `subscribe`, a change made through one opened store
// reaches the verifier of another at once, on PostgreSQL (LISTEN/NOTIFY) and on Redis (pub/sub).
import { openKeyStore } from '@keygate/cli';
import { createKeygate } from '@keygate/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clearRedisNamespace,
  DATABASE_URL,
  dropPostgresTable,
  postgresReachable,
  REDIS_URL,
  redisReachable,
} from './cli-support.js';

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const table = `kg_open_${suffix}`;
const namespace = `kg-open-${suffix}`;

const STORES = [
  {
    name: 'PostgreSQL',
    url: DATABASE_URL,
    reachable: await postgresReachable(),
    options: { table },
  },
  { name: 'Redis', url: REDIS_URL, reachable: await redisReachable(), options: { namespace } },
] as const;

afterAll(async () => {
  if (STORES[0].reachable) await dropPostgresTable(table);
  if (STORES[1].reachable) await clearRedisNamespace(namespace);
});

describe.each(STORES)('openKeyStore($name, { subscribe: true })', ({ url, reachable, options }) => {
  it.skipIf(!reachable)('delivers a revocation made on one instance to the other', async () => {
    const server = await openKeyStore(url, { ...options, subscribe: true });
    const admin = await openKeyStore(url, options);
    try {
      await server.migrate();
      expect(typeof server.store.subscribe).toBe('function');
      expect(admin.store.subscribe).toBeUndefined();
      // A cache TTL far beyond the test: only the event can make the server refuse the key.
      const served = createKeygate({ store: server.store, cache: { ttlMs: 600_000 } });
      await served.verifier.ready;
      const adminKeys = createKeygate({ store: admin.store }).keys;
      const { key, record } = await adminKeys.create({ organisationId: 'org', name: 'listen' });
      expect((await served.verifier.verify(key)).ok).toBe(true);
      await adminKeys.revoke(record.id);
      await expect
        .poll(
          async () => {
            const result = await served.verifier.verify(key);
            return result.ok ? 'ok' : result.error.code;
          },
          { timeout: 1_000, interval: 10 },
        )
        .toBe('revoked_api_key');
      await served.close();
    } finally {
      await admin.close();
      await server.close();
    }
  });
});
