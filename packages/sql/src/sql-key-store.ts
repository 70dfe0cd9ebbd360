// SqlKeyStore: the KeyStore contract on one table of PostgreSQL, MySQL/MariaDB or SQLite.
import {
  type ApiKeyPage,
  type ApiKeyRecord,
  type ApiKeyRecordChanges,
  ApiKeyStateError,
  type ApiKeyUpdateCondition,
  type CreditConsumption,
  DuplicateApiKeyError,
  type InvalidationEvent,
  type KeyStore,
  type LastUsedEntry,
  type ListOptions,
  type SubscriptionMonitor,
  takeCredits,
  type Unsubscribe,
  type UsageEntry,
} from '@keygate/core';
import { decodeCursor, latestUsePerId, pageOf, pageSize } from '@keygate/core/store';
import {
  type CompiledQuery,
  type Expression,
  type Kysely,
  type RawBuilder,
  sql,
  type Transaction,
} from 'kysely';
import { isUniqueViolation, type SqlDialect } from './dialect.js';
import { usageTableOf } from './migrations.js';
import { PACKAGE_NAME, resolveSqlKeyStoreOptions, type SqlKeyStoreOptions } from './options.js';
import {
  encodeInvalidationPayload,
  listenForInvalidations,
  type PostgresListenerSource,
} from './postgres-notifications.js';
import {
  type ApiKeyRow,
  COLUMNS,
  changesToRow,
  creditsFromRow,
  creditsToRow,
  type KeyTables,
  recordToRow,
  rowToRecord,
  timeToColumn,
} from './row-mapping.js';
import { addUsage, readUsage } from './usage-counts.js';

// Each last-used entry takes five bind parameters (id and time in SET, again in WHERE, id in IN);
// 1,000 entries stay far below PostgreSQL's 65,535 and SQLite's 32,766 parameters a statement.
const LAST_USED_CHUNK = 1000;

/**
 * A `KeyStore` on one SQL table, through the caller's Kysely instance: PostgreSQL, MySQL/MariaDB
 * or SQLite. Create the table with `migrateToLatest` first.
 *
 * Every write is one statement or one transaction. On PostgreSQL, `update` and `delete` also send
 * an invalidation event (`pg_notify`) in the same transaction, and a store given a `listener`
 * has `subscribe`, so revocations reach every instance's cache at once. Given a function that
 * opens the listener connection, the store replaces it when it drops (capped backoff, forever)
 * and tells subscribers that they must resync.
 *
 * @example
 * ```ts
 * import { Kysely, PostgresDialect } from 'kysely';
 * import pg from 'pg';
 * import { migrateToLatest, SqlKeyStore } from '@keygate/sql';
 *
 * const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString }) }) });
 * await migrateToLatest(db);
 * const listener = async () => {
 *   const client = new pg.Client({ connectionString });
 *   client.on('error', () => {}); // the store learns of a drop through 'end'
 *   await client.connect();
 *   return client;
 * };
 * const store = new SqlKeyStore({ db, listener });
 * ```
 */
export class SqlKeyStore implements KeyStore {
  readonly #db: Kysely<KeyTables>;
  readonly #table: string;
  readonly #dialect: SqlDialect;
  // The verification lookup, compiled once: Kysely would spend ~7 µs compiling it per call, a
  // tenth of an indexed lookup's round trip on loopback.
  readonly #findByHashQuery: CompiledQuery<ApiKeyRow>;
  // Each open subscription of this store, so close() can end them.
  readonly #subscriptions = new Set<Unsubscribe>();

  /**
   * Delivers invalidation events from every instance on the same table (LISTEN/NOTIFY). Present
   * only on PostgreSQL with a `listener` connection; resolves once LISTEN is in effect.
   */
  readonly subscribe?: (
    listener: (event: InvalidationEvent) => void,
    monitor?: SubscriptionMonitor,
  ) => Promise<Unsubscribe>;

  constructor(options: SqlKeyStoreOptions) {
    const resolved = resolveSqlKeyStoreOptions(options);
    // The caller's plugins (CamelCasePlugin, say) would rename the columns this store reads.
    this.#db = (resolved.db as Kysely<KeyTables>).withoutPlugins();
    this.#table = resolved.table;
    this.#dialect = resolved.dialect;
    this.#findByHashQuery = this.#db
      .selectFrom(this.#table)
      .select(COLUMNS)
      .where('hash', '=', '')
      .compile();
    const source = resolved.listener;
    if (source !== undefined) {
      this.subscribe = (listener, monitor) =>
        this.#subscribe(source, listener, monitor, resolved.onWarning);
    }
  }

  /** The dialect in use, given or detected. */
  get dialect(): SqlDialect {
    return this.#dialect;
  }

  /** The key table's name. */
  get table(): string {
    return this.#table;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    try {
      await this.#db.insertInto(this.#table).values(recordToRow(record, this.#dialect)).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DuplicateApiKeyError(`id ${record.id} or that digest is taken`);
      }
      throw error;
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const query: CompiledQuery<ApiKeyRow> = { ...this.#findByHashQuery, parameters: [hash] };
    const { rows } = await this.#db.executeQuery(query);
    const row = rows[0];
    return row === undefined ? null : rowToRecord(row);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.#db
      .selectFrom(this.#table)
      .select(COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : rowToRecord(row);
  }

  async listByOrganisation(organisationId: string, options: ListOptions = {}): Promise<ApiKeyPage> {
    const limit = pageSize(options.limit, PACKAGE_NAME);
    const cursor =
      options.cursor === undefined ? undefined : decodeCursor(options.cursor, PACKAGE_NAME);
    let query = this.#db
      .selectFrom(this.#table)
      .select(COLUMNS)
      .where('organisation_id', '=', organisationId);
    if (cursor !== undefined) {
      const createdAt = timeToColumn(new Date(cursor.createdAt), this.#dialect);
      // Keyset pagination spelled out rather than as a row comparison `(a, b) < (x, y)`, which
      // MySQL does not always serve from the (organisation_id, created_at, id) index.
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    // One row more than the page tells whether another page follows.
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(rows.map(rowToRecord), limit);
  }

  async update(
    id: string,
    changes: ApiKeyRecordChanges,
    condition?: ApiKeyUpdateCondition,
  ): Promise<ApiKeyRecord | null> {
    const values = changesToRow(changes, this.#dialect);
    try {
      return await this.#transaction(async (trx) => {
        // The row lock keeps the digest read here the one the event names, the condition checked
        // here the one that holds at the write (a concurrent update waits for this transaction),
        // and the returned record the one this transaction wrote.
        const previous = await this.#selectById(trx, id, true);
        if (previous === undefined) return null;
        if (
          (condition?.revokedAt === null && previous.revoked_at !== null) ||
          (condition?.replacedById === null && previous.replaced_by_id !== null)
        ) {
          throw new ApiKeyStateError(`API key ${id} was revoked or rotated meanwhile`);
        }
        if (Object.keys(values).length > 0) {
          await trx.updateTable(this.#table).set(values).where('id', '=', id).execute();
        }
        if (this.#dialect === 'postgres') {
          // Sent at commit, and only if the transaction commits.
          const payload = encodeInvalidationPayload({ id, hash: previous.hash });
          await sql`select pg_notify(${this.#table}, ${payload})`.execute(trx);
        }
        const current = await this.#selectById(trx, id, false);
        return current === undefined ? null : rowToRecord(current);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateApiKeyError('that digest is taken');
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    if (this.#dialect === 'postgres') {
      // One statement deletes and notifies, with the digest the row had.
      const result = await sql<{ notified: unknown }>`
        with deleted as (
          delete from ${sql.table(this.#table)} where id = ${id} returning id, hash
        )
        select pg_notify(${this.#table}, json_build_object('id', id, 'hash', hash)::text) as notified
        from deleted`.execute(this.#db);
      return result.rows.length > 0;
    }
    const result = await this.#db.deleteFrom(this.#table).where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async recordLastUsed(entries: readonly LastUsedEntry[]): Promise<void> {
    // One time per id: a CASE takes the first WHEN that matches, so ids must be unique.
    const latest = latestUsePerId(entries);
    const pairs = [...latest];
    for (let start = 0; start < pairs.length; start += LAST_USED_CHUNK) {
      await this.#writeLastUsed(pairs.slice(start, start + LAST_USED_CHUNK));
    }
  }

  async consumeCredits(id: string, cost: number, now: Date): Promise<CreditConsumption | null> {
    // Read under a row lock (SELECT … FOR UPDATE; BEGIN IMMEDIATE on SQLite), decide with core's
    // rule, write, commit: concurrent requests queue on the row, and a crash before the commit
    // rolls back both the read and the write, so no decrement is half done. MariaDB has no
    // UPDATE … RETURNING, and one path for every dialect keeps them in step.
    return this.#transaction(async (trx) => {
      let query = trx
        .selectFrom(this.#table)
        .select([
          'credits_remaining',
          'credits_refill_amount',
          'credits_refill_interval_ms',
          'credits_refilled_at',
        ])
        .where('id', '=', id);
      if (this.#dialect !== 'sqlite') query = query.forUpdate();
      const row = await query.executeTakeFirst();
      const credits = row === undefined ? null : creditsFromRow(row);
      if (credits === null) return null;
      const taken = takeCredits(
        {
          remaining: credits.remaining,
          refillAmount: credits.refill?.amount ?? null,
          refillIntervalMs: credits.refill?.intervalMs ?? null,
          refilledAt: credits.refilledAt.getTime(),
        },
        cost,
        now.getTime(),
      );
      if (taken.changed) {
        const { credits_remaining, credits_refilled_at } = creditsToRow(
          {
            remaining: taken.columns.remaining,
            refill: credits.refill,
            refilledAt: new Date(taken.columns.refilledAt),
          },
          this.#dialect,
        );
        await trx
          .updateTable(this.#table)
          .set({ credits_remaining, credits_refilled_at })
          .where('id', '=', id)
          .execute();
      }
      return taken.consumption;
    });
  }

  /** Adds usage counts to `<table>_usage` (migration 0007_observability). */
  async recordUsage(entries: readonly UsageEntry[]): Promise<void> {
    await addUsage(this.#db, usageTableOf(this.#table), this.#dialect, entries);
  }

  async readUsage(keyId: string, from: string, to: string): Promise<readonly UsageEntry[]> {
    return readUsage(this.#db, usageTableOf(this.#table), keyId, from, to);
  }

  async close(): Promise<void> {
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    // The listener connection is the caller's and may be gone already; there is nothing of the
    // store's left to release on a dead connection, so a failed UNLISTEN is not an error here.
    await Promise.allSettled(subscriptions.map((unsubscribe) => unsubscribe()));
  }

  async #subscribe(
    source: PostgresListenerSource,
    listener: (event: InvalidationEvent) => void,
    monitor: SubscriptionMonitor | undefined,
    onWarning: (message: string) => void,
  ): Promise<Unsubscribe> {
    if (typeof listener !== 'function') {
      throw new TypeError(`${PACKAGE_NAME}: subscribe needs a listener function`);
    }
    const stop = await listenForInvalidations(source, this.#table, listener, monitor, onWarning);
    const unsubscribe = async (): Promise<void> => {
      this.#subscriptions.delete(unsubscribe);
      await stop();
    };
    this.#subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  // One statement: sets each row's time from a CASE on id, only where that moves it forwards.
  // Rows that are gone match nothing, so nothing is ever created.
  async #writeLastUsed(pairs: readonly (readonly [string, number])[]): Promise<void> {
    if (pairs.length === 0) return;
    const newTime = sql<ApiKeyRow['last_used_at']>`case ${sql.ref('id')} ${sql.join(
      pairs.map(([id, time]) => sql`when ${id} then ${this.#timeParameter(time)}`),
      sql` `,
    )} end`;
    await this.#db
      .updateTable(this.#table)
      .set({ last_used_at: newTime })
      .where(
        'id',
        'in',
        pairs.map(([id]) => id),
      )
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', newTime)]))
      .execute();
  }

  // Bind parameters inside a CASE carry no column type, so PostgreSQL and MySQL are told it.
  #timeParameter(time: number): RawBuilder<unknown> | Expression<unknown> {
    const value = timeToColumn(new Date(time), this.#dialect);
    if (this.#dialect === 'postgres') return sql`cast(${value} as timestamptz)`;
    if (this.#dialect === 'mysql') return sql`cast(${value} as datetime(3))`;
    return sql`${value}`;
  }

  #selectById(
    db: Kysely<KeyTables>,
    id: string,
    forUpdate: boolean,
  ): Promise<ApiKeyRow | undefined> {
    let query = db.selectFrom(this.#table).select(COLUMNS).where('id', '=', id);
    // SQLite has no row locks; its write transaction (BEGIN IMMEDIATE) locks the database.
    if (forUpdate && this.#dialect !== 'sqlite') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  // A transaction. On SQLite it begins IMMEDIATE: a deferred one that reads and then writes fails
  // with SQLITE_BUSY when another process wrote in between, where IMMEDIATE waits its turn.
  async #transaction<T>(work: (trx: Kysely<KeyTables>) => Promise<T>): Promise<T> {
    if (this.#dialect !== 'sqlite') {
      return this.#db.transaction().execute((trx: Transaction<KeyTables>) => work(trx));
    }
    return this.#db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
    });
  }
}
