// The core KeyStore conformance suite against real PostgreSQL, MariaDB/MySQL and SQLite.
import { runKeyStoreConformance } from '@keygate/core/testing';
import { migrateToLatest, SqlKeyStore } from '@keygate/sql';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  DIALECTS,
  isReachable,
  openTestDatabase,
  type TestDatabase,
} from './sql-test-databases.js';

for (const dialect of DIALECTS) {
  const reachable = await isReachable(dialect);

  describe.skipIf(!reachable)(`SqlKeyStore on ${dialect}`, () => {
    let database: TestDatabase;
    let store: SqlKeyStore;
    let peer: SqlKeyStore;

    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      const { db, table } = database;
      await migrateToLatest(db, { table });
      if (dialect === 'postgres') {
        store = new SqlKeyStore({ db, table, listener: await database.listenerConnection() });
        // Another server instance: its own pool and its own LISTEN connection.
        peer = new SqlKeyStore({
          db: database.openKysely(),
          table,
          listener: await database.listenerConnection(),
        });
      } else if (dialect === 'mysql') {
        store = new SqlKeyStore({ db, table });
        peer = new SqlKeyStore({ db: database.openKysely(), table });
      } else {
        // better-sqlite3 is synchronous: one connection per process is the supported set-up.
        store = new SqlKeyStore({ db, table });
        peer = store;
      }
    });

    afterAll(async () => {
      await store?.close();
      await peer?.close();
      await database?.close();
    });

    runKeyStoreConformance({
      name: `SqlKeyStore (${dialect})`,
      createStore: () => store,
      createPeer: () => peer,
    });
  });
}
