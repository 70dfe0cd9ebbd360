// The audit and usage conformance suite against real PostgreSQL, MariaDB/MySQL and SQLite:
// SqlAuditSink in <table>_audit, usage counts in <table>_usage (migration 0007_observability).
import { runAuditUsageConformance } from '@keygate/core/testing';
import { migrateToLatest, SqlAuditSink, SqlKeyStore } from '@keygate/sql';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  DIALECTS,
  isReachable,
  openTestDatabase,
  type TestDatabase,
} from './sql-test-databases.js';

for (const dialect of DIALECTS) {
  const reachable = await isReachable(dialect);

  describe.skipIf(!reachable)(`SqlAuditSink and usage on ${dialect}`, () => {
    let database: TestDatabase;
    let store: SqlKeyStore;
    let peer: SqlKeyStore;
    let audit: SqlAuditSink;

    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      const { db, table } = database;
      await migrateToLatest(db, { table });
      store = new SqlKeyStore({ db, table });
      // Another server instance with its own pool (SQLite: one connection per process).
      peer = dialect === 'sqlite' ? store : new SqlKeyStore({ db: database.openKysely(), table });
      audit = new SqlAuditSink({ db, table });
    });

    afterAll(async () => {
      await store?.close();
      await peer?.close();
      await database?.close();
    });

    runAuditUsageConformance({
      name: `SqlKeyStore and SqlAuditSink (${dialect})`,
      createStore: () => store,
      createPeer: () => peer,
      createAuditSink: () => audit,
    });
  });
}
