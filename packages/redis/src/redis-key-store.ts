// RedisKeyStore: the KeyStore on an injected ioredis Redis or Cluster, for many server instances
// that share one Redis.
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
  sumUsage,
  type Unsubscribe,
  type UsageEntry,
} from '@keygate/core';
import { decodeCursor, latestUsePerId, pageOf, pageSize } from '@keygate/core/store';
import type { RedisCommandClient } from './client.js';
import { InvalidationChannel } from './invalidation.js';
import { KeyLayout, LISTING_ID_OFFSET, listingEntry } from './key-layout.js';
import { addUsageScript } from './observability-scripts.js';
import {
  clientKeyPrefix,
  clientWarning,
  type RedisKeyStoreOptions,
  type ResolvedRedisKeyStoreOptions,
  resolveRedisKeyStoreOptions,
} from './options.js';
import { decodeRecord, encodeChanges, encodeCondition, encodeRecord } from './record-codec.js';
import {
  consumeCreditsScript,
  DIGEST_TAKEN,
  deleteScript,
  findByHashScript,
  ID_TAKEN,
  insertScript,
  listScript,
  recordLastUsedScript,
  UPDATE_CONDITION_FAILED,
  UPDATE_DIGEST_TAKEN,
  updateScript,
} from './scripts.js';

const PACKAGE = '@keygate/redis';

// A batch of last-used times or usage counts is split so that no single script holds Redis for
// long.
const WRITE_CHUNK = 500;

// A key's usage hash outlives its last write by this much (the page shows 30 days; a year of
// history stays readable).
const USAGE_TTL_SECONDS = 400 * 86_400;

/**
 * Keeps keys in Redis (single node or Cluster) through a client the caller owns. Writes are Lua
 * scripts, so a record and its indexes change together; updates and deletes publish an
 * invalidation event that reaches every instance's verifier when a `subscriber` is given.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisKeyStore } from '@keygate/redis';
 *
 * const client = new Redis(process.env.REDIS_URL!, {
 *   enableOfflineQueue: false,
 *   maxRetriesPerRequest: 1,
 *   commandTimeout: 500,
 * });
 * const store = new RedisKeyStore({ client, subscriber: client.duplicate() });
 * ```
 */
export class RedisKeyStore implements KeyStore {
  /**
   * Present only when a `subscriber` connection was given: a store without one has no channel,
   * and verifiers then rely on their cache TTL. `monitor` learns when the pub/sub connection
   * drops and when the channel is confirmed again after it (ioredis reconnects by itself).
   */
  declare readonly subscribe?: (
    listener: (event: InvalidationEvent) => void,
    monitor?: SubscriptionMonitor,
  ) => Promise<Unsubscribe>;

  readonly #options: ResolvedRedisKeyStoreOptions;
  readonly #client: RedisCommandClient;
  readonly #keys: KeyLayout;
  readonly #invalidation: InvalidationChannel | undefined;

  constructor(options: RedisKeyStoreOptions) {
    this.#options = resolveRedisKeyStoreOptions(options);
    this.#client = this.#options.client;
    this.#keys = new KeyLayout(this.#options.namespace, clientKeyPrefix(this.#client));
    const warning = clientWarning(this.#client);
    if (warning !== undefined) this.#options.onWarning(warning);
    const { subscriber, channel, onWarning } = this.#options;
    if (subscriber !== undefined) {
      const invalidation = new InvalidationChannel(subscriber, channel, onWarning);
      this.#invalidation = invalidation;
      this.subscribe = (listener, monitor) => invalidation.subscribe(listener, monitor);
    }
  }

  /** The namespace (hash tag) of every key this store writes. */
  get namespace(): string {
    return this.#options.namespace;
  }

  /** The pub/sub channel of invalidation events. */
  get channel(): string {
    return this.#options.channel;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    const keys = [this.#keys.recordKey(record.id), this.#keys.digestKey(record.hash)];
    // Built for every record, listed or not: it also refuses a createdAt that is no date.
    const entry = listingEntry(record.createdAt.getTime(), record.id);
    const listed = record.organisationId !== null;
    if (listed) keys.push(this.#keys.organisationKey(record.organisationId));
    const fields = encodeRecord(record, listed ? entry : null);
    const outcome = await insertScript.run(this.#client, keys, [record.id, entry, ...fields]);
    if (outcome === ID_TAKEN) throw new DuplicateApiKeyError(`id ${record.id} is taken`);
    if (outcome === DIGEST_TAKEN) throw new DuplicateApiKeyError('that digest is taken');
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const fields = await findByHashScript.run(
      this.#client,
      [this.#keys.digestKey(hash)],
      [this.#keys.recordBase],
    );
    return decodeRecord(asArray(fields));
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    return decodeRecord(await this.#client.hgetall(this.#keys.recordKey(id)));
  }

  async listByOrganisation(organisationId: string, options: ListOptions = {}): Promise<ApiKeyPage> {
    const limit = pageSize(options.limit, PACKAGE);
    const cursor = options.cursor === undefined ? undefined : decodeCursor(options.cursor, PACKAGE);
    const upperBound = cursor === undefined ? '+' : `(${listingEntry(cursor.createdAt, cursor.id)}`;
    // One more than a page tells whether another page follows.
    const found = await listScript.run(
      this.#client,
      [this.#keys.organisationKey(organisationId)],
      [this.#keys.recordBase, upperBound, String(limit + 1), String(LISTING_ID_OFFSET)],
    );
    const records: ApiKeyRecord[] = [];
    for (const fields of asArray(found)) {
      const record = decodeRecord(asArray(fields));
      if (record !== null) records.push(record);
    }
    return pageOf(records, limit);
  }

  async update(
    id: string,
    changes: ApiKeyRecordChanges,
    condition?: ApiKeyUpdateCondition,
  ): Promise<ApiKeyRecord | null> {
    const keys = [this.#keys.recordKey(id)];
    if (changes.hash !== undefined) keys.push(this.#keys.digestKey(changes.hash));
    const { set, unset } = encodeChanges(changes);
    const absent = encodeCondition(condition);
    // The condition is checked inside the script, so no other write can come between.
    const outcome = await updateScript.run(this.#client, keys, [
      this.#keys.digestBase,
      this.#options.channel,
      id,
      changes.hash ?? '',
      String(absent.length),
      String(set.length),
      ...absent,
      ...set,
      ...unset,
    ]);
    if (outcome === UPDATE_DIGEST_TAKEN) throw new DuplicateApiKeyError('that digest is taken');
    if (outcome === UPDATE_CONDITION_FAILED) {
      throw new ApiKeyStateError(`API key ${id} was revoked or rotated meanwhile`);
    }
    return outcome === null ? null : decodeRecord(asArray(outcome));
  }

  async delete(id: string): Promise<boolean> {
    const removed = await deleteScript.run(
      this.#client,
      [this.#keys.recordKey(id)],
      [this.#keys.digestBase, this.#keys.organisationBase, this.#options.channel, id],
    );
    return removed === 1;
  }

  async recordLastUsed(entries: readonly LastUsedEntry[]): Promise<void> {
    const latest = latestUsePerId(entries);
    // Sent back to back on one connection (ioredis does not wait for one reply to send the next).
    await Promise.all(
      chunksOf([...latest.keys()], WRITE_CHUNK).map((chunk) =>
        recordLastUsedScript.run(
          this.#client,
          chunk.map((id) => this.#keys.recordKey(id)),
          chunk.map((id) => String(latest.get(id))),
        ),
      ),
    );
  }

  async consumeCredits(id: string, cost: number, now: Date): Promise<CreditConsumption | null> {
    const answer = await consumeCreditsScript.run(
      this.#client,
      [this.#keys.recordKey(id)],
      [String(cost), String(now.getTime())],
    );
    if (answer === null || answer === undefined) return null;
    const [ok, remaining, nextRefillAt] = asArray(answer);
    const next = Number(nextRefillAt);
    return {
      ok: Number(ok) === 1,
      remaining: Number(remaining),
      nextRefillAt: next < 0 ? null : new Date(next),
    };
  }

  /**
   * Adds usage counts: one hash per key (`{namespace}:usage:<id>`, fields `<day>:a` and
   * `<day>:r`, HINCRBY), kept 400 days after its last write.
   */
  async recordUsage(entries: readonly UsageEntry[]): Promise<void> {
    await Promise.all(
      chunksOf(sumUsage(entries), WRITE_CHUNK).map((chunk) =>
        addUsageScript.run(
          this.#client,
          chunk.map((entry) => this.#keys.usageKey(entry.keyId)),
          [
            String(USAGE_TTL_SECONDS),
            ...chunk.flatMap((entry) => [
              entry.date,
              String(entry.accepted),
              String(entry.refused),
            ]),
          ],
        ),
      ),
    );
  }

  async readUsage(keyId: string, from: string, to: string): Promise<readonly UsageEntry[]> {
    const fields = await this.#client.hgetall(this.#keys.usageKey(keyId));
    const days = new Map<string, { accepted: number; refused: number }>();
    for (const [field, value] of Object.entries(fields)) {
      const date = field.slice(0, 10);
      if (date < from || date > to) continue;
      const counts = days.get(date) ?? { accepted: 0, refused: 0 };
      if (field.endsWith(':a')) counts.accepted = Number(value);
      else if (field.endsWith(':r')) counts.refused = Number(value);
      days.set(date, counts);
    }
    return [...days].map(([date, counts]) => ({ keyId, date, ...counts }));
  }

  /** Ends this store's subscriptions. The injected connections stay open: they are the caller's. */
  async close(): Promise<void> {
    await this.#invalidation?.close();
  }
}

function asArray(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`${PACKAGE}: unexpected reply from Redis`);
  return value;
}

// `items` in slices of at most `size`, in order.
function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
