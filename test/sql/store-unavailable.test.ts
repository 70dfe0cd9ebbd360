// A slow or dead PostgreSQL fails closed (key_store_unavailable, 503) within the verifier's
// timeout, and the same verifier recovers when the database comes back. The database is played
// by a proxy in front of the real server, which the test stalls and cuts.
import { createKeyManager, createVerifier, type Verifier, type VerifyResult } from '@keygate/core';
import { migrateToLatest, SqlKeyStore } from '@keygate/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASE_URL,
  isReachable,
  openTestDatabase,
  type TestDatabase,
} from './sql-test-databases.js';
import { StallableProxy } from './stallable-proxy.js';

const STORE_TIMEOUT_MS = 300;

const reachable = await isReachable('postgres');

describe.skipIf(!reachable)('SqlKeyStore when PostgreSQL is slow or down', () => {
  let database: TestDatabase;
  let proxy: StallableProxy;
  let store: SqlKeyStore;
  let verifier: Verifier;
  let key: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const { db, table } = database;
    await migrateToLatest(db, { table });
    const created = await createKeyManager({ store: new SqlKeyStore({ db, table }) }).create({
      organisationId: 'org_outage',
      name: 'outage',
    });
    key = created.key;

    const target = new URL(DATABASE_URL);
    proxy = await StallableProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const proxied = new URL(DATABASE_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // The settings the README recommends: a bounded wait for a connection, and keep-alive.
    store = new SqlKeyStore({
      db: database.openKysely({
        connectionString: proxied.href,
        max: 4,
        connectionTimeoutMillis: 1000,
        keepAlive: true,
      }),
      table,
    });
    // No cache: every verification reads the store, so each one shows the database's state.
    verifier = createVerifier({
      store,
      cache: false,
      lastUsed: false,
      storeTimeoutMs: STORE_TIMEOUT_MS,
      onError: (error) => errors.push(error),
    });
  });

  afterAll(async () => {
    proxy?.restore();
    await verifier?.close();
    await store?.close();
    await proxy?.close();
    await database?.close();
  });

  const untilAccepted = async (): Promise<VerifyResult> => {
    let result = await verifier.verify(key);
    for (let attempt = 0; !result.ok && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      result = await verifier.verify(key);
    }
    return result;
  };

  it('accepts the key while the database answers', async () => {
    expect(await verifier.verify(key)).toMatchObject({ ok: true });
  });

  it('answers key_store_unavailable (503) while the database hangs, then recovers', async () => {
    proxy.stall();
    const started = Date.now();
    const stalled = await Promise.all([verifier.verify(key), verifier.verify(key)]);
    console.log(
      `[@keygate/sql] stalled database refused after ${Date.now() - started} ms (verifier timeout ${STORE_TIMEOUT_MS} ms)`,
    );
    for (const result of stalled) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'key_store_unavailable', status: 503 },
      });
    }
    proxy.restore();
    expect(await untilAccepted()).toMatchObject({ ok: true });
  });

  it('answers key_store_unavailable (503) while the database is down, then recovers', async () => {
    proxy.cut();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await verifier.verify(key)).toMatchObject({
        ok: false,
        error: { code: 'key_store_unavailable', status: 503 },
      });
    }
    proxy.restore();
    expect(await untilAccepted()).toMatchObject({ ok: true });
  });

  it('never answers a valid key with 401 during an outage', async () => {
    const seen = new Set<string>();
    for (const fail of [() => proxy.stall(), () => proxy.cut()]) {
      fail();
      for (let attempt = 0; attempt < 3; attempt++) {
        const result = await verifier.verify(key);
        seen.add(result.ok ? 'ok' : result.error.code);
      }
      proxy.restore();
      expect((await untilAccepted()).ok).toBe(true);
    }
    expect([...seen]).toEqual(['key_store_unavailable']);
  });
});
