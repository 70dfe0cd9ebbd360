// SqlKeyStore on in-memory SQLite, watching the statements it sends. The conformance suite runs
// against real servers in test/sql/.
import { makeTestRecord } from '@keygate/core/testing';
import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrations.js';
import { SqlKeyStore } from './sql-key-store.js';

let statements: string[];
let db: Kysely<object>;
let store: SqlKeyStore;

beforeEach(async () => {
  statements = [];
  db = new Kysely<object>({
    dialect: new SqliteDialect({ database: new Database(':memory:') }),
    log: (event) => {
      statements.push(event.query.sql);
    },
  });
  await migrateToLatest(db);
  store = new SqlKeyStore({ db });
  statements = [];
});

afterEach(async () => {
  await store.close();
  await db.destroy();
});

describe('SqlKeyStore statements', () => {
  it('records a batch of last-used times in one UPDATE that only moves times forwards', async () => {
    const records = [makeTestRecord(), makeTestRecord(), makeTestRecord()];
    for (const record of records) await store.insert(record);
    statements = [];
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    await store.recordLastUsed([
      { id: records[0]!.id, lastUsedAt: at(5) },
      { id: records[0]!.id, lastUsedAt: at(9) }, // the latest of an id wins
      { id: records[0]!.id, lastUsedAt: at(7) },
      { id: records[1]!.id, lastUsedAt: at(3) },
      { id: crypto.randomUUID(), lastUsedAt: at(1) },
      { id: records[2]!.id, lastUsedAt: new Date(Number.NaN) }, // skipped, not written
    ]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^update "keygate_api_keys" set "last_used_at" = case "id" when/);
    expect(statements[0]).toMatch(/"last_used_at" is null or "last_used_at" < case/);
    expect((await store.findById(records[0]!.id))?.lastUsedAt).toEqual(at(9));
    expect((await store.findById(records[1]!.id))?.lastUsedAt).toEqual(at(3));
    expect((await store.findById(records[2]!.id))?.lastUsedAt).toBeNull();
  });

  it('splits a very large batch into a few statements', async () => {
    const entries = Array.from({ length: 2500 }, (_, index) => ({
      id: `id-${index}`,
      lastUsedAt: new Date(Date.UTC(2026, 0, 1)),
    }));
    await store.recordLastUsed(entries);
    expect(statements).toHaveLength(3);
  });

  it('sends nothing for an empty batch', async () => {
    await store.recordLastUsed([]);
    expect(statements).toEqual([]);
  });

  it('updates inside one IMMEDIATE transaction, so nothing is half written', async () => {
    const record = makeTestRecord();
    await store.insert(record);
    statements = [];
    await store.update(record.id, { name: 'renamed' });
    expect(statements[0]).toBe('begin immediate');
    expect(statements.at(-1)).toBe('commit');
    expect(statements.filter((text) => text.startsWith('update'))).toHaveLength(1);
  });

  it('rolls an update back when the new digest is taken, changing nothing', async () => {
    const first = makeTestRecord();
    const second = makeTestRecord();
    await store.insert(first);
    await store.insert(second);
    statements = [];
    await expect(
      store.update(first.id, { hash: second.hash, name: 'should not stick' }),
    ).rejects.toMatchObject({ name: 'DuplicateApiKeyError', code: 'duplicate_api_key' });
    expect(statements.at(-1)).toBe('rollback');
    expect(await store.findById(first.id)).toEqual(first);
  });

  it('keeps the millisecond of every time', async () => {
    const record = makeTestRecord({
      createdAt: new Date(Date.UTC(2026, 1, 2, 3, 4, 5, 6)),
      expiresAt: new Date(Date.UTC(2030, 1, 2, 3, 4, 5, 999)),
    });
    await store.insert(record);
    expect(await store.findByHash(record.hash)).toEqual(record);
  });

  it('pages with a keyset on (created_at, id), never an offset', async () => {
    const organisationId = 'org_paging';
    for (let index = 0; index < 5; index++) {
      await store.insert(makeTestRecord({ organisationId }));
    }
    const first = await store.listByOrganisation(organisationId, { limit: 2 });
    statements = [];
    await store.listByOrganisation(organisationId, { limit: 2, cursor: first.nextCursor! });
    expect(statements[0]).toContain('"created_at" < ? or ("created_at" = ? and "id" < ?)');
    expect(statements[0]).not.toContain('offset');
  });

  it('rejects a cursor that no listing made with a RangeError', async () => {
    await expect(store.listByOrganisation('org', { cursor: 'nonsense' })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('SqlKeyStore on a Kysely instance with plugins', () => {
  it('ignores the caller’s plugins, which would rename its columns', async () => {
    const camel = new Kysely<object>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
      plugins: [new CamelCasePlugin()],
    });
    try {
      await migrateToLatest(camel);
      const camelStore = new SqlKeyStore({ db: camel });
      const record = makeTestRecord();
      await camelStore.insert(record);
      expect(await camelStore.findByHash(record.hash)).toEqual(record);
      expect(await camelStore.findById(record.id)).toEqual(record);
    } finally {
      await camel.destroy();
    }
  });
});
