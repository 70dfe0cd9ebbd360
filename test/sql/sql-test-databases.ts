// Real databases for the @keygate/sql tests: each suite gets its own table (PostgreSQL), its own
// database (MariaDB/MySQL) or its own file (SQLite), created here and dropped by close().
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';

export const DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;
export type TestDialect = (typeof DIALECTS)[number];

/** Tables whose rows the tests read without a schema type. */
export type AnyTables = Record<string, Record<string, unknown>>;

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * Whether the dialect's server answers. Locally an unreachable server skips its tests with a
 * message; on CI (`CI=true`) it fails the run, so a missing service never passes silently.
 */
export async function isReachable(dialect: TestDialect): Promise<boolean> {
  try {
    if (dialect === 'postgres') {
      const client = new pg.Client({
        connectionString: DATABASE_URL,
        connectionTimeoutMillis: 3000,
      });
      await client.connect();
      await client.end();
    } else if (dialect === 'mysql') {
      const connection = await createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
      await connection.end();
    }
    return true;
  } catch (error) {
    const where = dialect === 'postgres' ? DATABASE_URL : MYSQL_URL;
    const message = `${dialect} at ${where} is unreachable (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI never skips it`);
    console.warn(`[@keygate/sql tests] SKIPPING ${dialect}: ${message}`);
    return false;
  }
}

/** A database of one dialect that a suite owns until close(). */
export interface TestDatabase {
  readonly dialect: TestDialect;
  /** A Kysely instance on the suite's database. */
  readonly db: Kysely<AnyTables>;
  /** A key-table name of the suite's own (dropped by close()). */
  readonly table: string;
  /** Another unique key-table name, dropped by close() with its migration tables. */
  newTable(): string;
  /** A further Kysely instance (another "server instance"); destroyed by close(). */
  openKysely(poolOptions?: pg.PoolConfig): Kysely<AnyTables>;
  /** PostgreSQL: a dedicated, connected client for LISTEN; ended by close(). */
  listenerConnection(): Promise<pg.Client>;
  /** Drops every table and database it created and closes every connection. */
  close(): Promise<void>;
}

const unique = (): string => randomBytes(5).toString('hex');

export async function openTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const tables: string[] = [];
  const instances: Kysely<AnyTables>[] = [];
  const listeners: pg.Client[] = [];
  const newTable = (): string => {
    const table = `keygate_t_${unique()}`;
    tables.push(table);
    return table;
  };
  let openKysely: (poolOptions?: pg.PoolConfig) => Kysely<AnyTables>;
  let dropAll: () => Promise<void>;

  if (dialect === 'postgres') {
    openKysely = (poolOptions = {}) => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10, ...poolOptions });
      // A client that loses its socket emits 'error': on the pool while idle, on the client while
      // Kysely holds it. The README asks applications for both handlers; without the second, a
      // connection cut during a query (as store-unavailable.test.ts does) ends the process.
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      const db = new Kysely<AnyTables>({ dialect: new PostgresDialect({ pool }) });
      instances.push(db);
      return db;
    };
    dropAll = async () => {
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      try {
        for (const table of tables) {
          for (const name of [
            table,
            `${table}_audit`,
            `${table}_usage`,
            `${table}_migrations`,
            `${table}_migrations_lock`,
          ]) {
            await admin.query(`drop table if exists "${name}"`);
          }
        }
      } finally {
        await admin.end();
      }
    };
  } else if (dialect === 'mysql') {
    const database = `keygate_test_${unique()}`;
    const admin = await createConnection({ uri: MYSQL_URL });
    await admin.query(`create database \`${database}\` character set utf8mb4`);
    await admin.end();
    openKysely = () => {
      // timezone 'Z': datetime columns hold UTC, whatever the process's time zone.
      const pool = createPool({ uri: MYSQL_URL, database, timezone: 'Z', connectionLimit: 10 });
      const db = new Kysely<AnyTables>({ dialect: new MysqlDialect({ pool }) });
      instances.push(db);
      return db;
    };
    dropAll = async () => {
      const connection = await createConnection({ uri: MYSQL_URL });
      try {
        await connection.query(`drop database if exists \`${database}\``);
      } finally {
        await connection.end();
      }
    };
  } else {
    const directory = mkdtempSync(join(tmpdir(), 'keygate-sql-'));
    const file = join(directory, 'keys.sqlite');
    openKysely = () => {
      const database = new Database(file);
      database.pragma('journal_mode = WAL');
      const db = new Kysely<AnyTables>({ dialect: new SqliteDialect({ database }) });
      instances.push(db);
      return db;
    };
    dropAll = async () => {
      rmSync(directory, { recursive: true, force: true });
    };
  }

  const db = openKysely();
  return {
    dialect,
    db,
    table: newTable(),
    newTable,
    openKysely,
    async listenerConnection() {
      if (dialect !== 'postgres') throw new Error('LISTEN needs PostgreSQL');
      const client = new pg.Client({ connectionString: DATABASE_URL });
      client.on('error', () => {});
      await client.connect();
      listeners.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(listeners.map((client) => client.end()));
      await Promise.allSettled(instances.map((instance) => instance.destroy()));
      await dropAll();
    },
  };
}

/** Every value of every row of `table`, as text: what a database dump would show. */
export async function readAllColumnsAsText(
  db: Kysely<AnyTables>,
  table: string,
): Promise<string[][]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
    db,
  );
  return rows.map((row) =>
    Object.values(row).map((value) => {
      if (value === null || value === undefined) return '';
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    }),
  );
}
