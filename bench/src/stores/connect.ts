// Opens each store on its own namespace, table or database, and removes what it made on close.
// A store whose package is missing or whose server does not answer is skipped, not failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyStore } from '@keygate/core';

export type StoreName = 'redis' | 'postgres' | 'mariadb' | 'sqlite';
export const STORE_NAMES: readonly StoreName[] = ['redis', 'postgres', 'mariadb', 'sqlite'];

/** An open store, its server's version, and how to remove what the bench made. */
export interface OpenStore {
  readonly store: KeyStore;
  readonly server: string;
  readonly where: string;
  close(): Promise<void>;
}

/** Thrown when a store cannot be measured here; the message says why. */
export class StoreUnavailable extends Error {}

const CONNECT_TIMEOUT_MS = 3_000;
const suffix = `${process.pid}_${Date.now().toString(36)}`;

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new StoreUnavailable(
      `${name} cannot be loaded (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

async function reachable<T>(what: string, attempt: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (error) {
    throw new StoreUnavailable(`${what} is unreachable (${(error as Error).message})`);
  } finally {
    clearTimeout(timer);
  }
}

async function openRedis(): Promise<OpenStore> {
  const { RedisKeyStore } = await load<typeof import('@keygate/redis')>('@keygate/redis');
  const { Redis } = await load<typeof import('ioredis')>('ioredis');
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // The options the @keygate/redis README recommends.
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  await reachable(`Redis at ${url}`, client.connect());
  const info = await client.info('server');
  const namespace = `keygate-bench-${suffix}`;
  const store = new RedisKeyStore({ client, namespace });
  return {
    store,
    server: `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`,
    where: `namespace {${namespace}}`,
    async close() {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `{${namespace}}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await client.quit();
    },
  };
}

async function openPostgres(): Promise<OpenStore> {
  const sql = await load<typeof import('@keygate/sql')>('@keygate/sql');
  const { Kysely, PostgresDialect } = await load<typeof import('kysely')>('kysely');
  const { default: pg } = await load<{ default: typeof import('pg') }>('pg');
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on('error', () => {});
  let version: string;
  try {
    version = (await reachable(`PostgreSQL at ${url}`, pool.query('select version() as v'))).rows[0]
      .v;
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const table = `keygate_bench_${suffix}`;
  const drop = async () => {
    for (const name of [table, `${table}_migrations`, `${table}_migrations_lock`]) {
      await pool.query(`drop table if exists "${name}"`);
    }
  };
  try {
    await sql.migrateToLatest(db, { table });
  } catch (error) {
    await drop().catch(() => {});
    await db.destroy();
    throw error;
  }
  return {
    store: new sql.SqlKeyStore({ db, table }),
    server: version.split(' ').slice(0, 2).join(' '),
    where: `table ${table}`,
    async close() {
      await drop();
      await db.destroy();
    },
  };
}

async function openMariadb(): Promise<OpenStore> {
  const sql = await load<typeof import('@keygate/sql')>('@keygate/sql');
  const { Kysely, MysqlDialect } = await load<typeof import('kysely')>('kysely');
  const mysql = await load<typeof import('mysql2')>('mysql2');
  const url = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
  const database = `keygate_bench_${suffix}`;
  const admin = mysql.createConnection({ uri: url, connectTimeout: CONNECT_TIMEOUT_MS }).promise();
  admin.on('error', () => {});
  let version: string;
  try {
    const [rows] = await reachable(`MariaDB at ${url}`, admin.query('select version() as v'));
    version = (rows as Array<{ v: string }>)[0]!.v;
    await admin.query(`create database \`${database}\``);
  } catch (error) {
    admin.destroy();
    throw error;
  }
  const target = new URL(url);
  target.pathname = `/${database}`;
  const pool = mysql.createPool({ uri: target.toString(), connectionLimit: 10 });
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
  const drop = async () => {
    await admin.query(`drop database if exists \`${database}\``);
    await admin.end();
  };
  try {
    await sql.migrateToLatest(db, {});
  } catch (error) {
    await db.destroy();
    await drop().catch(() => {});
    throw error;
  }
  return {
    store: new sql.SqlKeyStore({ db }),
    server: /mariadb/i.test(version) ? `MariaDB ${version.split('-')[0]}` : `MySQL ${version}`,
    where: `database ${database}`,
    async close() {
      await db.destroy();
      await drop();
    },
  };
}

async function openSqlite(): Promise<OpenStore> {
  const sql = await load<typeof import('@keygate/sql')>('@keygate/sql');
  const { Kysely, SqliteDialect } = await load<typeof import('kysely')>('kysely');
  const { default: Database } = await load<{ default: typeof import('better-sqlite3') }>(
    'better-sqlite3',
  );
  const directory = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const file = join(directory, 'keys.sqlite');
  const database = new Database(file);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const version = (database.prepare('select sqlite_version() as v').get() as { v: string }).v;
  await sql.migrateToLatest(db, {});
  return {
    store: new sql.SqlKeyStore({ db }),
    server: `SQLite ${version} (better-sqlite3, file)`,
    where: file,
    async close() {
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Opens `name`, or throws {@link StoreUnavailable}. */
export function openStore(name: StoreName): Promise<OpenStore> {
  switch (name) {
    case 'redis':
      return openRedis();
    case 'postgres':
      return openPostgres();
    case 'mariadb':
      return openMariadb();
    case 'sqlite':
      return openSqlite();
  }
}
