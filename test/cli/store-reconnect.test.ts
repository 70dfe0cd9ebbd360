// No connection that openKeyStore opens ever stops reconnecting: the Redis clients after an
// outage longer than any retry budget, the PostgreSQL and MariaDB pools after every connection
// was cut, and the PostgreSQL LISTEN connection after it dropped (then subscribers resync).
import { rmSync } from 'node:fs';
import { type OpenedKeyStore, openKeyStore } from '@keygate/cli';
import { createKeyManager, createVerifier, type SubscriptionMonitor } from '@keygate/core';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { redisBinariesAvailable } from '../redis/support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  startRedisServer,
  stopRedisServer,
} from '../redis/support/redis-server.js';
import { DATABASE_URL, isReachable, MYSQL_URL } from '../sql/sql-test-databases.js';
import { StallableProxy } from '../sql/stallable-proxy.js';

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Retries `attempt` until it succeeds or `ms` pass; how long it took.
async function eventually(attempt: () => Promise<unknown>, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await attempt();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > ms) throw error;
      await sleep(50);
    }
  }
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// A URL like `url` that reaches the proxy's port instead.
function throughProxy(url: string, proxy: StallableProxy): string {
  const copy = new URL(url);
  copy.hostname = '127.0.0.1';
  copy.port = String(proxy.port);
  return copy.href;
}

const redisBinaries = redisBinariesAvailable('openKeyStore reconnects to Redis');
const postgres = await isReachable('postgres');
const mysql = await isReachable('mysql');

describe.skipIf(!redisBinaries)('openKeyStore on Redis', () => {
  const dir = makeTempDir('reconnect');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Longer than the ~15 s that the old retry budget (20 attempts) lasted.
  it('reaches Redis again after an outage longer than any retry budget', async () => {
    const port = await findFreePort();
    let server = await startRedisServer(port, dir);
    const opened = await openKeyStore(server.url, {
      subscribe: true,
      namespace: `kg-reconnect-${suffix}`,
    });
    try {
      await opened.store.findById('none');
      await stopRedisServer(server);
      await sleep(17_000);
      await expect(opened.store.findById('none')).rejects.toThrow();
      server = await startRedisServer(port, dir);
      const tookMs = await eventually(() => opened.store.findById('none'), 5_000);
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      await opened.close();
      await stopRedisServer(server);
    }
  }, 40_000);
});

describe.each([
  { name: 'PostgreSQL', url: DATABASE_URL, reachable: postgres },
  { name: 'MariaDB', url: MYSQL_URL, reachable: mysql },
])('openKeyStore on $name', ({ name, url, reachable }) => {
  it.skipIf(!reachable)('serves again once every pooled connection was cut', async () => {
    const target = new URL(url);
    const proxy = await StallableProxy.start({
      host: target.hostname,
      port: Number(target.port || (name === 'PostgreSQL' ? 5432 : 3306)),
    });
    const table = `kg_reconnect_${suffix}`;
    let opened: OpenedKeyStore | undefined;
    try {
      opened = await openKeyStore(throughProxy(url, proxy), { table, connectTimeoutMs: 1_000 });
      await opened.migrate();
      await opened.store.findById('none');
      proxy.cut();
      await expect(opened.store.findById('none')).rejects.toThrow();
      await sleep(500);
      proxy.restore();
      const store = opened.store;
      const tookMs = await eventually(() => store.findById('none'), 5_000);
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      await opened?.close();
      await proxy.close();
      await dropTable(name, url, table);
    }
  });
});

describe.skipIf(!postgres)('openKeyStore on PostgreSQL with subscribe', () => {
  const table = `kg_listen_${suffix}`;
  afterAll(() => dropTable('PostgreSQL', DATABASE_URL, table));

  it('replaces a terminated LISTEN connection, says so, and delivers events again', async () => {
    const server = await openKeyStore(DATABASE_URL, { table, subscribe: true });
    const admin = await openKeyStore(DATABASE_URL, { table });
    const told: string[] = [];
    const monitor: SubscriptionMonitor = {
      onLost: () => told.push('lost'),
      onResync: () => told.push('resync'),
    };
    try {
      await server.migrate();
      const events: string[] = [];
      await server.store.subscribe!((event) => events.push(event.id), monitor);
      // Only this suite's listener: the one LISTENing on its own table's channel.
      const terminated = await adminQuery(
        `select pg_terminate_backend(pid) from pg_stat_activity where query = 'LISTEN "${table}"'`,
      );
      expect(terminated).toBe(1);
      await waitFor(() => told.includes('resync'), 5_000, 'the resync');
      expect(told).toEqual(['lost', 'resync']);
      const manager = createKeyManager({ store: admin.store });
      const { record } = await manager.create({ organisationId: 'org', name: 'after' });
      await manager.revoke(record.id);
      await waitFor(() => events.includes(record.id), 1_000, 'the event after the resync');
    } finally {
      await server.close();
      await admin.close();
    }
  });

  it('makes a verifier empty its cache once a cut LISTEN connection is back', async () => {
    const target = new URL(DATABASE_URL);
    const proxy = await StallableProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const server = await openKeyStore(throughProxy(DATABASE_URL, proxy), {
      table,
      subscribe: true,
      connectTimeoutMs: 1_000,
    });
    const verifier = createVerifier({ store: server.store, onError: () => {} });
    try {
      await verifier.ready;
      const { key } = await createKeyManager({ store: server.store }).create({
        organisationId: 'org',
        name: 'cached',
      });
      expect((await verifier.verify(key)).ok).toBe(true);
      expect(verifier.verify(key)).not.toBeInstanceOf(Promise); // cached
      proxy.cut();
      await sleep(2_000);
      expect(verifier.verify(key)).not.toBeInstanceOf(Promise); // the cache carries the outage
      proxy.restore();
      await waitFor(() => verifier.verify(key) instanceof Promise, 5_000, 'the cache to empty');
    } finally {
      await verifier.close();
      await server.close();
      await proxy.close();
    }
  });
});

async function adminQuery(text: string): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

async function dropTable(name: string, url: string, table: string): Promise<void> {
  const names = [table, `${table}_migrations`, `${table}_migrations_lock`];
  if (name === 'PostgreSQL') {
    for (const each of names) await adminQuery(`drop table if exists "${each}"`);
    return;
  }
  const connection = await createConnection({ uri: url });
  try {
    for (const each of names) await connection.query(`drop table if exists \`${each}\``);
  } finally {
    await connection.end();
  }
}
