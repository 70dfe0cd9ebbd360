// docs/design.md, "Storage": a store holds digests, never keys. Creates 1,000 keys through the
// manager and reads every column of every row back as text, looking for any of them.
import { createKeygate, createKeyManager } from '@keygate/core';
import {
  auditTableOf,
  migrateToLatest,
  SqlAuditSink,
  SqlKeyStore,
  usageTableOf,
} from '@keygate/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  isReachable,
  openTestDatabase,
  readAllColumnsAsText,
  type TestDatabase,
} from './sql-test-databases.js';

const KEY_COUNT = 1000;
const CONCURRENCY = 20;

for (const dialect of DIALECTS) {
  const reachable = await isReachable(dialect);

  describe.skipIf(!reachable)(`SqlKeyStore on ${dialect} stores no plaintext key`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      await migrateToLatest(database.db, { table: database.table });
    });

    afterAll(async () => {
      await database?.close();
    });

    it(`keeps no key, nor the secret part of one, in any column after ${KEY_COUNT} creations`, async () => {
      const { db, table } = database;
      const keys = createKeyManager({ store: new SqlKeyStore({ db, table }) });
      const created: string[] = [];
      for (let start = 0; start < KEY_COUNT; start += CONCURRENCY) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, KEY_COUNT - start) }, (_, index) =>
            keys.create({
              organisationId: `org_${(start + index) % 7}`,
              name: `key ${start + index}`,
              scopes: ['sites:read'],
              metadata: { batch: start },
            }),
          ),
        );
        created.push(...batch.map((result) => result.key));
      }

      const rows = await readAllColumnsAsText(db, table);
      expect(rows).toHaveLength(KEY_COUNT);
      const dump = rows.map((cells) => cells.join('\u0000')).join('\n');
      expect(findLeaks(dump, created)).toEqual([]);
      // The check itself finds a leak: any 12 characters of one key's secret part are enough.
      const planted = created[KEY_COUNT - 1]!;
      expect(findLeaks(`${dump}${planted.slice(31, 43)}`, created)).toEqual([planted]);
    }, 120_000);

    it('keeps no key in the audit and usage tables either', async () => {
      const { db, table } = database;
      const keygate = createKeygate({
        store: new SqlKeyStore({ db, table }),
        audit: new SqlAuditSink({ db, table }),
        lastUsed: false,
      });
      const created: string[] = [];
      for (let index = 0; index < 20; index++) {
        const { key, record } = await keygate.keys.create(
          { organisationId: `org_audit_${index % 3}`, name: `audited ${index}` },
          { actor: 'admin:tok_1', ip: '203.0.113.1' },
        );
        created.push(key);
        await keygate.verifier.verify(key);
        if (index % 2 === 0) created.push((await keygate.keys.rotate(record.id)).key);
        else await keygate.keys.revoke(record.id);
      }
      await keygate.close();
      const audit = await readAllColumnsAsText(db, auditTableOf(table));
      const usage = await readAllColumnsAsText(db, usageTableOf(table));
      expect(audit).toHaveLength(40);
      expect(usage.length).toBeGreaterThan(0);
      const dump = [...audit, ...usage].map((cells) => cells.join('\u0000')).join('\n');
      expect(findLeaks(dump, created)).toEqual([]);
    }, 60_000);
  });
}

// The keys of which `dump` holds any 12 consecutive characters of the body (the secret part after
// `sk_live_`) beyond the first 6, which the display prefix may show. Every 12-character window of
// every body goes into one map, so the dump is scanned once.
const FRAGMENT = 12;
function findLeaks(dump: string, keys: readonly string[]): string[] {
  const fragments = new Map<string, string>();
  for (const key of keys) {
    const body = key.slice(8);
    for (let offset = 6; offset + FRAGMENT <= body.length; offset++) {
      fragments.set(body.slice(offset, offset + FRAGMENT), key);
    }
  }
  const leaked = new Set<string>();
  for (let index = 0; index + FRAGMENT <= dump.length; index++) {
    const key = fragments.get(dump.slice(index, index + FRAGMENT));
    if (key !== undefined) leaked.add(key);
  }
  return [...leaked];
}
