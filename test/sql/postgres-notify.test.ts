// Two server instances on one PostgreSQL: a revocation on one reaches the other's cache through
// LISTEN/NOTIFY, long before that cache's TTL would have let it go.
import { performance } from 'node:perf_hooks';
import { createKeyManager, createVerifier, type Verifier, type VerifyResult } from '@keygate/core';
import { migrateToLatest, SqlKeyStore } from '@keygate/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReachable, openTestDatabase, type TestDatabase } from './sql-test-databases.js';

// Far beyond the test's run: a refusal on the other instance can only come from the event.
const CACHE_TTL_MS = 10 * 60_000;
// The contract (docs/design.md, "Caching and invalidation"): other instances learn of a change
// within 1 s. The verifiers' cache TTL is far longer, so a refusal within it can only come from
// NOTIFY.
const WAIT_LIMIT_MS = 1_000;

const reachable = await isReachable('postgres');

describe.skipIf(!reachable)('SqlKeyStore LISTEN/NOTIFY between two instances', () => {
  let database: TestDatabase;
  let first: { store: SqlKeyStore; verifier: Verifier };
  let second: { store: SqlKeyStore; verifier: Verifier };

  const instance = async (db: TestDatabase['db']) => {
    const store = new SqlKeyStore({
      db,
      table: database.table,
      listener: await database.listenerConnection(),
    });
    const verifier = createVerifier({
      store,
      cache: { ttlMs: CACHE_TTL_MS, negativeTtlMs: CACHE_TTL_MS },
      lastUsed: false,
    });
    await verifier.ready;
    return { store, verifier };
  };

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await migrateToLatest(database.db, { table: database.table });
    first = await instance(database.db);
    second = await instance(database.openKysely());
  });

  afterAll(async () => {
    for (const { store, verifier } of [first, second]) {
      await verifier?.close();
      await store?.close();
    }
    await database?.close();
  });

  // Polls the verifier until it refuses; the time from `since` to the first refusal.
  const untilRefused = async (verifier: Verifier, key: string, since: number) => {
    let result: VerifyResult = await verifier.verify(key);
    while (result.ok && performance.now() - since < WAIT_LIMIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      result = await verifier.verify(key);
    }
    return { result, elapsedMs: performance.now() - since };
  };

  it('a key revoked on one instance is refused by the other', async () => {
    const keys = createKeyManager({ verifier: first.verifier });
    const { key, record } = await keys.create({ organisationId: 'org_notify', name: 'notify' });
    expect((await first.verifier.verify(key)).ok).toBe(true);
    expect((await second.verifier.verify(key)).ok).toBe(true); // now cached on the second

    const start = performance.now();
    await keys.revoke(record.id);
    const { result, elapsedMs } = await untilRefused(second.verifier, key, start);

    console.log(
      `[@keygate/sql] LISTEN/NOTIFY revocation reached the other instance in ${elapsedMs.toFixed(1)} ms (contract: within 1,000 ms)`,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'revoked_api_key', status: 401 } });
    expect((await first.verifier.verify(key)).ok).toBe(false);
  });

  it('a key deleted on one instance is refused by the other', async () => {
    const keys = createKeyManager({ verifier: first.verifier });
    const { key, record } = await keys.create({ organisationId: 'org_notify', name: 'delete me' });
    expect((await second.verifier.verify(key)).ok).toBe(true);

    const start = performance.now();
    await keys.delete(record.id);
    const { result, elapsedMs } = await untilRefused(second.verifier, key, start);

    console.log(
      `[@keygate/sql] LISTEN/NOTIFY deletion reached the other instance in ${elapsedMs.toFixed(1)} ms`,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_api_key' } });
  });

  it('a rotation with no grace period ends the old key on the other instance too', async () => {
    const keys = createKeyManager({ verifier: first.verifier });
    const { key, record } = await keys.create({ organisationId: 'org_notify', name: 'rotate' });
    expect((await second.verifier.verify(key)).ok).toBe(true);

    const rotated = await keys.rotate(record.id);
    const { result } = await untilRefused(second.verifier, key, performance.now());

    expect(result.ok).toBe(false);
    expect((await second.verifier.verify(rotated.key)).ok).toBe(true);
  });
});
