import { EventEmitter } from 'node:events';
import {
  DialectAdapterBase,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { detectDialect } from './dialect.js';
import { DEFAULT_TABLE, resolveSqlKeyStoreOptions } from './options.js';
import type { PostgresListenerConnection } from './postgres-notifications.js';
import { SqlKeyStore } from './sql-key-store.js';

// Kysely instances that compile but never connect (Kysely's documented DummyDriver set-up).
const offline = {
  postgres: () =>
    new Kysely<object>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    }),
  mysql: () =>
    new Kysely<object>({
      dialect: {
        createAdapter: () => new MysqlAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new MysqlIntrospector(db),
        createQueryCompiler: () => new MysqlQueryCompiler(),
      },
    }),
  sqlite: () =>
    new Kysely<object>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    }),
};

const fakeListener = (): PostgresListenerConnection =>
  Object.assign(new EventEmitter(), { query: async () => ({}) });

describe('SqlKeyStore options', () => {
  it('detects each dialect from the Kysely adapter, also through a subclass', () => {
    expect(detectDialect(offline.postgres())).toBe('postgres');
    expect(detectDialect(offline.mysql())).toBe('mysql');
    expect(detectDialect(offline.sqlite())).toBe('sqlite');
    class PgliteLikeAdapter extends PostgresAdapter {}
    const subclassed = new Kysely<object>({
      dialect: {
        createAdapter: () => new PgliteLikeAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    expect(detectDialect(subclassed)).toBe('postgres');
  });

  it('resolves defaults into a new frozen object and leaves the caller’s options alone', () => {
    const db = offline.sqlite();
    const options = { db };
    const resolved = resolveSqlKeyStoreOptions(options);
    expect(resolved).toMatchObject({
      db,
      table: DEFAULT_TABLE,
      dialect: 'sqlite',
      listener: undefined,
    });
    expect(typeof resolved.onWarning).toBe('function');
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(options).toEqual({ db });
    expect(Object.keys(options)).toEqual(['db']);
  });

  it('takes a given dialect over the detected one', () => {
    const store = new SqlKeyStore({ db: offline.sqlite(), dialect: 'mysql', table: 'api_keys' });
    expect([store.dialect, store.table]).toEqual(['mysql', 'api_keys']);
  });

  it('throws a TypeError naming the package for bad options', () => {
    const db = offline.postgres();
    const bad: unknown[] = [
      undefined,
      null,
      'postgres://',
      {},
      { db: {} },
      { db, table: '' },
      { db, table: 'api-keys' },
      { db, table: 'public.api_keys' },
      { db, table: '1keys' },
      { db, table: 'k'.repeat(41) },
      { db, table: 42 },
      { db, dialect: 'oracle' },
      { db, listener: {} },
      { db, listener: { query: async () => ({}), on: () => {} } },
      { db: offline.mysql(), listener: fakeListener() },
      { db: offline.sqlite(), listener: fakeListener() },
      { db: offline.mysql(), listener: async () => fakeListener() },
      { db, onWarning: 'console' },
    ];
    for (const options of bad) {
      expect(() => new SqlKeyStore(options as never), JSON.stringify(options)).toThrow(TypeError);
      expect(() => new SqlKeyStore(options as never)).toThrow(/^@keygate\/sql: /);
    }
  });

  it('asks for the dialect when the adapter is not one it knows', () => {
    class OtherAdapter extends DialectAdapterBase {
      override async acquireMigrationLock(): Promise<void> {}
      override async releaseMigrationLock(): Promise<void> {}
    }
    const other = new Kysely<object>({
      dialect: {
        createAdapter: () => new OtherAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
    expect(detectDialect(other)).toBeUndefined();
    expect(() => new SqlKeyStore({ db: other })).toThrow(/pass dialect/);
    expect(new SqlKeyStore({ db: other, dialect: 'sqlite' }).dialect).toBe('sqlite');
  });

  it('has subscribe only on PostgreSQL with a listener connection', () => {
    expect(new SqlKeyStore({ db: offline.postgres() }).subscribe).toBeUndefined();
    expect(new SqlKeyStore({ db: offline.mysql() }).subscribe).toBeUndefined();
    expect(
      typeof new SqlKeyStore({ db: offline.postgres(), listener: fakeListener() }).subscribe,
    ).toBe('function');
  });
});
