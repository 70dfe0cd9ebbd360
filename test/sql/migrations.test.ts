// The key table's migrations on real databases: idempotent, upgradable, one history per table.
import { makeTestRecord } from '@keygate/core/testing';
import {
  getMigrationStatus,
  MIGRATION_NAMES,
  migrateTo,
  migrateToLatest,
  NO_MIGRATIONS,
  SqlKeyStore,
} from '@keygate/sql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIALECTS,
  isReachable,
  openTestDatabase,
  type TestDatabase,
} from './sql-test-databases.js';

const [FIRST_MIGRATION] = MIGRATION_NAMES;

for (const dialect of DIALECTS) {
  const reachable = await isReachable(dialect);

  describe.skipIf(!reachable)(`@keygate/sql migrations on ${dialect}`, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await openTestDatabase(dialect);
    });

    afterAll(async () => {
      await database?.close();
    });

    it('runs every migration once; running them again changes nothing', async () => {
      const { db } = database;
      const table = database.newTable();
      const first = await migrateToLatest(db, { table });
      expect(first.map((result) => [result.migrationName, result.status])).toEqual(
        MIGRATION_NAMES.map((name) => [name, 'Success']),
      );
      expect(await migrateToLatest(db, { table })).toEqual([]);
      const status = await getMigrationStatus(db, { table });
      expect(status.map((migration) => migration.name)).toEqual([...MIGRATION_NAMES]);
      expect(status.every((migration) => migration.executedAt instanceof Date)).toBe(true);
    });

    it('upgrades a table at the first migration to the latest, keeping its rows', async () => {
      const { db } = database;
      const table = database.newTable();
      await migrateTo(db, FIRST_MIGRATION, { table });
      const record = makeTestRecord({
        lastUsedAt: new Date(Date.UTC(2026, 3, 1, 12, 30, 0, 250)),
        expiresAt: new Date(Date.UTC(2027, 0, 1)),
      });
      // Written as an application on the first schema wrote it: no replaced_by_id column yet.
      const time = (date: Date | null) =>
        date === null ? null : dialect === 'sqlite' ? date.getTime() : date;
      await db
        .insertInto(table)
        .values({
          id: record.id,
          organisation_id: record.organisationId,
          name: record.name,
          prefix: record.prefix,
          hash: record.hash,
          hash_version: record.hashVersion,
          environment: record.environment,
          scopes: JSON.stringify(record.scopes),
          metadata: JSON.stringify(record.metadata),
          created_at: time(record.createdAt),
          expires_at: time(record.expiresAt),
          last_used_at: time(record.lastUsedAt),
          revoked_at: null,
        })
        .execute();

      const upgrade = await migrateToLatest(db, { table });
      expect(upgrade.map((result) => [result.migrationName, result.status])).toEqual(
        MIGRATION_NAMES.slice(1).map((name) => [name, 'Success']),
      );

      const store = new SqlKeyStore({ db, table });
      expect(await store.findByHash(record.hash)).toEqual(record);
      const successor = makeTestRecord({ organisationId: record.organisationId });
      await store.insert(successor);
      expect(await store.update(record.id, { replacedById: successor.id })).toEqual({
        ...record,
        replacedById: successor.id,
      });
      const page = await store.listByOrganisation(record.organisationId!);
      expect(page.records.map((r) => r.id).sort()).toEqual([record.id, successor.id].sort());
    });

    it('keeps one migration history per key table, so two tables in one database never clash', async () => {
      const { db } = database;
      const first = database.newTable();
      const second = database.newTable();
      await migrateToLatest(db, { table: first });
      const untouched = await getMigrationStatus(db, { table: second });
      expect(untouched.every((migration) => migration.executedAt === undefined)).toBe(true);
      await migrateTo(db, FIRST_MIGRATION, { table: second });
      expect(await migrateToLatest(db, { table: first })).toEqual([]);
      expect((await migrateToLatest(db, { table: second })).map((r) => r.migrationName)).toEqual(
        MIGRATION_NAMES.slice(1),
      );
    });

    it('migrates concurrently from several instances without running anything twice', async () => {
      const table = database.newTable();
      const instances = dialect === 'sqlite' ? [database.db] : [database.db, database.openKysely()];
      const outcomes = await Promise.all(
        [...instances, ...instances].map((db) => migrateToLatest(db, { table })),
      );
      expect(outcomes.flat().map((result) => result.migrationName)).toEqual([...MIGRATION_NAMES]);
    });

    it('migrates down to nothing, dropping the table', async () => {
      const { db } = database;
      const table = database.newTable();
      await migrateToLatest(db, { table });
      const down = await migrateTo(db, NO_MIGRATIONS, { table });
      expect(down.map((result) => [result.migrationName, result.direction])).toEqual(
        [...MIGRATION_NAMES].reverse().map((name) => [name, 'Down']),
      );
      await expect(sql`select count(*) from ${sql.table(table)}`.execute(db)).rejects.toThrow();
    });

    it('rejects when a migration fails, naming it', async () => {
      const { db } = database;
      const table = database.newTable();
      // A table of that name already exists, so the first migration cannot create it.
      await db.schema.createTable(table).addColumn('unrelated', 'integer').execute();
      await expect(migrateToLatest(db, { table })).rejects.toThrow(
        `@keygate/sql: migration failed in ${FIRST_MIGRATION}`,
      );
    });
  });
}
