// The storage contract (docs/design.md, "Stores"): small, Promise-only, one conformance suite.
import type { CreditConsumption } from './quotas/credits.js';
import type { ApiKeyRecord, ApiKeyRecordChanges } from './record.js';
import type { UsageEntry } from './usage/usage-entry.js';

/** One page of an organisation's keys, newest first. */
export interface ApiKeyPage {
  readonly records: readonly ApiKeyRecord[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/** Which page of a listing to read. */
export interface ListOptions {
  /** At most this many records (default 100, at most 1,000). */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/**
 * What must still hold for an update to be written: each field named must still be `null` on the
 * stored record. The store checks it and writes in one atomic step, so that of two concurrent
 * rotations (or revocations) of one key exactly one is written.
 */
export interface ApiKeyUpdateCondition {
  /** Write only while the key is not revoked. */
  readonly revokedAt?: null;
  /** Write only while the key has no successor (it was not rotated). */
  readonly replacedById?: null;
}

/** A last-used time to record for one key. */
export interface LastUsedEntry {
  readonly id: string;
  readonly lastUsedAt: Date;
}

/**
 * Published by a store when a record changes or goes, so that every verifier that may have it
 * cached drops it. `hash` is the digest the record had before the change.
 */
export interface InvalidationEvent {
  readonly id: string;
  readonly hash: string;
}

/** Stops an invalidation subscription. */
export type Unsubscribe = () => void | Promise<void>;

/**
 * What a subscriber learns about the channel itself, beside its events. A store whose channel
 * runs over a connection of its own (Redis pub/sub, PostgreSQL LISTEN) reconnects by itself when
 * that connection drops; events published while it was down are lost, so it says so: `onLost`
 * when the connection goes, `onResync` once events flow again. A verifier empties its cache on
 * `onResync`, since anything it cached may have changed unseen (see docs/design.md, "Caching and
 * invalidation").
 *
 * @example
 * ```ts
 * await store.subscribe?.((event) => cache.delete(event.hash), {
 *   onLost: (error) => console.warn('invalidations paused', error),
 *   onResync: () => cache.clear(),
 * });
 * ```
 */
export interface SubscriptionMonitor {
  /** The channel's connection dropped; events from now until `onResync` may be missed. */
  readonly onLost?: (error: unknown) => void;
  /** The channel is back after a loss and delivers events again; some may have been missed. */
  readonly onResync?: () => void;
}

/**
 * Where keys live. Every method returns a Promise; a store never opens a connection the caller
 * did not give it. Every implementation passes `runKeyStoreConformance` from
 * `@keygate/core/testing`.
 *
 * @example
 * ```ts
 * import { MemoryKeyStore } from '@keygate/core';
 * const store: KeyStore = new MemoryKeyStore();
 * ```
 */
export interface KeyStore {
  /** Adds a record. Rejects with `DuplicateApiKeyError` when its id or hash is taken. */
  insert(record: ApiKeyRecord): Promise<void>;
  /** The record with this digest, or `null`. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** The record with this id, or `null`. */
  findById(id: string): Promise<ApiKeyRecord | null>;
  /** An organisation's records, newest first (by `createdAt`, then id), a page at a time. */
  listByOrganisation(organisationId: string, options?: ListOptions): Promise<ApiKeyPage>;
  /**
   * Changes some fields of a record in one atomic write and returns the new record, or `null`
   * when there is no such record. Publishes an invalidation event where the store has a channel.
   * With a `condition`, the check and the write are one atomic step: when the stored record does
   * not meet it, nothing is written or published and the call rejects with `ApiKeyStateError`
   * (code `api_key_not_active`).
   */
  update(
    id: string,
    changes: ApiKeyRecordChanges,
    condition?: ApiKeyUpdateCondition,
  ): Promise<ApiKeyRecord | null>;
  /** Removes a record (and its digest index); `false` when there was none. Publishes an event. */
  delete(id: string): Promise<boolean>;
  /**
   * Records last-used times in one batch. A time never moves backwards, and an id that no longer
   * exists is skipped (never re-created).
   */
  recordLastUsed(entries: readonly LastUsedEntry[]): Promise<void>;
  /**
   * Takes `cost` usage credits from a key in one atomic step: applies the refills due at `now`
   * first, takes nothing when fewer than `cost` are left (a balance never goes below 0), and
   * writes before it answers (a crash loses no decrement). `null` when there is no such record or
   * it has no credits. Publishes no invalidation event: credits are never cached.
   */
  consumeCredits(id: string, cost: number, now: Date): Promise<CreditConsumption | null>;
  /**
   * Adds verification counts per key and UTC day (docs/observability.md, "Usage"): each entry's
   * `accepted` and `refused` are added to what the store holds for that key and day, so that
   * batches from many instances sum up. Optional: a store without it keeps no usage.
   */
  recordUsage?(entries: readonly UsageEntry[]): Promise<void>;
  /**
   * A key's counts for the days from `from` to `to` (`YYYY-MM-DD`, both included), in any
   * order; days without counts may be left out.
   */
  readUsage?(keyId: string, from: string, to: string): Promise<readonly UsageEntry[]>;
  /**
   * Delivers other instances' (and this one's) invalidation events. Optional: a store without a
   * channel leaves it out, and verifiers then rely on their cache TTL. A store that can lose its
   * channel keeps re-establishing it and tells `monitor` when it was lost and when it is back.
   */
  subscribe?(
    listener: (event: InvalidationEvent) => void,
    monitor?: SubscriptionMonitor,
  ): Promise<Unsubscribe>;
  /** Releases what the store holds of its own (subscriptions, timers), not the injected client. */
  close(): Promise<void>;
}
