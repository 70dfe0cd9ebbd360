// The default, in-process KeyStore: for tests, single-instance servers and as the model store.
import { ApiKeyStateError, DuplicateApiKeyError } from './errors.js';
import type {
  ApiKeyPage,
  ApiKeyUpdateCondition,
  InvalidationEvent,
  KeyStore,
  LastUsedEntry,
  ListOptions,
  Unsubscribe,
} from './key-store.js';
import {
  type CreditColumns,
  type CreditConsumption,
  creditColumnsOf,
  creditsFromColumns,
  takeCredits,
} from './quotas/credits.js';
import type { RateLimitPolicy } from './quotas/rate-limit-policy.js';
import type { ApiKeyRecord, ApiKeyRecordChanges } from './record.js';
import { latestUsePerId } from './store/latest-use.js';
import { decodeCursor, isAfterCursor, pageOf, pageSize } from './store/pagination.js';
import type { UsageEntry } from './usage/usage-entry.js';

// Times are kept as numbers (null when absent: a missing time then costs no heap number),
// strings are shared with the record, and empty scopes and metadata share one frozen value:
// well under 500 bytes a key instead of ~1,000 with Dates and copies (bench/README.md).
interface StoredRecord {
  id: string;
  organisationId: string | null;
  name: string;
  prefix: string;
  hash: string;
  hashVersion: string;
  environment: string;
  scopes: readonly string[];
  metadata: Readonly<Record<string, unknown>>;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  replacedById: string | null;
  disabledAt: number | null;
  rateLimit: RateLimitPolicy | null;
  credits: CreditColumns | null;
  leakedAt: number | null;
  leakSource: string | null;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Keeps keys in process memory. Records are copied in and out, so a caller that mutates what it
 * got back changes nothing stored. Events reach this instance's subscribers only.
 *
 * @example
 * ```ts
 * const store = new MemoryKeyStore();
 * const keygate = createKeygate({ store });
 * ```
 */
export class MemoryKeyStore implements KeyStore {
  readonly #byId = new Map<string, StoredRecord>();
  readonly #byHash = new Map<string, StoredRecord>();
  // Per organisation, its records in insertion order: an array costs a pointer a key where a Set
  // costs ~30 bytes, and an organisation has few keys, so listing sorts and deleting scans them.
  readonly #byOrganisation = new Map<string, StoredRecord[]>();
  readonly #listeners = new Set<(event: InvalidationEvent) => void>();
  // Usage counts by key id, then by day.
  readonly #usage = new Map<string, Map<string, { accepted: number; refused: number }>>();

  /** Number of records held. */
  get size(): number {
    return this.#byId.size;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    if (this.#byId.has(record.id)) throw new DuplicateApiKeyError(`id ${record.id} is taken`);
    if (this.#byHash.has(record.hash)) throw new DuplicateApiKeyError('that digest is taken');
    const stored = toStored(record);
    this.#byId.set(stored.id, stored);
    this.#byHash.set(stored.hash, stored);
    if (stored.organisationId !== null) {
      const records = this.#byOrganisation.get(stored.organisationId);
      if (records === undefined) this.#byOrganisation.set(stored.organisationId, [stored]);
      else records.push(stored);
    }
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    const stored = this.#byHash.get(hash);
    return stored === undefined ? null : fromStored(stored);
  }

  async findById(id: string): Promise<ApiKeyRecord | null> {
    return this.#read(id);
  }

  async listByOrganisation(organisationId: string, options: ListOptions = {}): Promise<ApiKeyPage> {
    const limit = pageSize(options.limit);
    const cursor = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const records = (this.#byOrganisation.get(organisationId) ?? []).filter(
      (stored) => cursor === undefined || isAfterCursor(stored.createdAt, stored.id, cursor),
    );
    records.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return pageOf(records.slice(0, limit + 1).map(fromStored), limit);
  }

  async update(
    id: string,
    changes: ApiKeyRecordChanges,
    condition?: ApiKeyUpdateCondition,
  ): Promise<ApiKeyRecord | null> {
    const stored = this.#byId.get(id);
    if (stored === undefined) return null;
    // Checked and written with no await in between: nothing else runs until the write is done.
    if (!meetsCondition(stored, condition)) throw conditionFailed(id);
    const previousHash = stored.hash;
    if (changes.hash !== undefined && changes.hash !== previousHash) {
      if (this.#byHash.has(changes.hash)) throw new DuplicateApiKeyError('that digest is taken');
      this.#byHash.delete(previousHash);
      this.#byHash.set(changes.hash, stored);
    }
    applyChanges(stored, changes);
    this.#publish({ id, hash: previousHash });
    return fromStored(stored);
  }

  async delete(id: string): Promise<boolean> {
    const stored = this.#byId.get(id);
    if (stored === undefined) return false;
    this.#byId.delete(id);
    this.#byHash.delete(stored.hash);
    if (stored.organisationId !== null) {
      const records = this.#byOrganisation.get(stored.organisationId)!;
      records.splice(records.indexOf(stored), 1);
      if (records.length === 0) this.#byOrganisation.delete(stored.organisationId);
    }
    this.#publish({ id, hash: stored.hash });
    return true;
  }

  async recordLastUsed(entries: readonly LastUsedEntry[]): Promise<void> {
    for (const [id, time] of latestUsePerId(entries)) {
      const stored = this.#byId.get(id);
      if (stored !== undefined && (stored.lastUsedAt === null || stored.lastUsedAt < time)) {
        stored.lastUsedAt = time;
      }
    }
  }

  async consumeCredits(id: string, cost: number, now: Date): Promise<CreditConsumption | null> {
    // One synchronous step: nothing else runs between the read and the write.
    const stored = this.#byId.get(id);
    if (stored === undefined || stored.credits === null) return null;
    const { columns, consumption } = takeCredits(stored.credits, cost, now.getTime());
    stored.credits = columns;
    return consumption;
  }

  async recordUsage(entries: readonly UsageEntry[]): Promise<void> {
    for (const entry of entries) {
      let days = this.#usage.get(entry.keyId);
      if (days === undefined) {
        days = new Map();
        this.#usage.set(entry.keyId, days);
      }
      const counts = days.get(entry.date);
      if (counts === undefined) {
        days.set(entry.date, { accepted: entry.accepted, refused: entry.refused });
      } else {
        counts.accepted += entry.accepted;
        counts.refused += entry.refused;
      }
    }
  }

  async readUsage(keyId: string, from: string, to: string): Promise<readonly UsageEntry[]> {
    const entries: UsageEntry[] = [];
    for (const [date, counts] of this.#usage.get(keyId) ?? []) {
      if (date >= from && date <= to) entries.push({ keyId, date, ...counts });
    }
    return entries;
  }

  async subscribe(listener: (event: InvalidationEvent) => void): Promise<Unsubscribe> {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #read(id: string): ApiKeyRecord | null {
    const stored = this.#byId.get(id);
    return stored === undefined ? null : fromStored(stored);
  }

  #publish(event: InvalidationEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function toStored(record: ApiKeyRecord): StoredRecord {
  return {
    id: flat(record.id),
    organisationId: record.organisationId === null ? null : flat(record.organisationId),
    name: flat(record.name),
    prefix: flat(record.prefix),
    hash: flat(record.hash),
    hashVersion: record.hashVersion,
    environment: record.environment,
    scopes: copyScopes(record.scopes),
    metadata: copyMetadata(record.metadata),
    createdAt: record.createdAt.getTime(),
    expiresAt: timeOf(record.expiresAt),
    lastUsedAt: timeOf(record.lastUsedAt),
    revokedAt: timeOf(record.revokedAt),
    replacedById: record.replacedById === null ? null : flat(record.replacedById),
    disabledAt: timeOf(record.disabledAt),
    rateLimit: copyRateLimit(record.rateLimit),
    credits: record.credits === null ? null : creditColumnsOf(record.credits),
    leakedAt: timeOf(record.leakedAt),
    leakSource: record.leakSource === null ? null : flat(record.leakSource),
  };
}

// Strings built by concatenation (crypto.randomUUID() and the display prefix among them) are
// trees of pieces in V8: ~480 bytes for a UUID instead of ~56. A record held for the life of the
// process keeps a flat copy instead; JSON.parse of a string literal always makes one.
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function fromStored(stored: StoredRecord): ApiKeyRecord {
  return {
    id: stored.id,
    organisationId: stored.organisationId,
    name: stored.name,
    prefix: stored.prefix,
    hash: stored.hash,
    hashVersion: stored.hashVersion,
    environment: stored.environment,
    scopes: [...stored.scopes],
    metadata: structuredClone(stored.metadata) as Record<string, unknown>,
    createdAt: new Date(stored.createdAt),
    expiresAt: dateOf(stored.expiresAt),
    lastUsedAt: dateOf(stored.lastUsedAt),
    revokedAt: dateOf(stored.revokedAt),
    replacedById: stored.replacedById,
    disabledAt: dateOf(stored.disabledAt),
    rateLimit: stored.rateLimit === null ? null : { ...stored.rateLimit },
    credits: stored.credits === null ? null : creditsFromColumns(stored.credits),
    leakedAt: dateOf(stored.leakedAt),
    leakSource: stored.leakSource,
  };
}

function meetsCondition(stored: StoredRecord, condition: ApiKeyUpdateCondition | undefined) {
  if (condition === undefined) return true;
  return (
    (condition.revokedAt !== null || stored.revokedAt === null) &&
    (condition.replacedById !== null || stored.replacedById === null)
  );
}

function conditionFailed(id: string): ApiKeyStateError {
  return new ApiKeyStateError(`API key ${id} was revoked or rotated meanwhile`);
}

function applyChanges(stored: StoredRecord, changes: ApiKeyRecordChanges): void {
  if (changes.name !== undefined) stored.name = flat(changes.name);
  if (changes.expiresAt !== undefined) stored.expiresAt = timeOf(changes.expiresAt);
  if (changes.revokedAt !== undefined) stored.revokedAt = timeOf(changes.revokedAt);
  if (changes.replacedById !== undefined) {
    stored.replacedById = changes.replacedById === null ? null : flat(changes.replacedById);
  }
  if (changes.disabledAt !== undefined) stored.disabledAt = timeOf(changes.disabledAt);
  if (changes.leakedAt !== undefined) stored.leakedAt = timeOf(changes.leakedAt);
  if (changes.leakSource !== undefined) {
    stored.leakSource = changes.leakSource === null ? null : flat(changes.leakSource);
  }
  if (changes.scopes !== undefined) stored.scopes = copyScopes(changes.scopes);
  if (changes.metadata !== undefined) stored.metadata = copyMetadata(changes.metadata);
  if (changes.hash !== undefined) stored.hash = flat(changes.hash);
  if (changes.hashVersion !== undefined) stored.hashVersion = changes.hashVersion;
  if (changes.rateLimit !== undefined) stored.rateLimit = copyRateLimit(changes.rateLimit);
  if (changes.credits !== undefined) {
    stored.credits = changes.credits === null ? null : creditColumnsOf(changes.credits);
  }
  if (changes.creditRefill !== undefined && stored.credits !== null) {
    stored.credits = {
      ...stored.credits,
      refillAmount: changes.creditRefill?.amount ?? null,
      refillIntervalMs: changes.creditRefill?.intervalMs ?? null,
    };
  }
}

function copyRateLimit(policy: RateLimitPolicy | null): RateLimitPolicy | null {
  return policy === null ? null : Object.freeze({ limit: policy.limit, windowMs: policy.windowMs });
}

function timeOf(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

function dateOf(time: number | null): Date | null {
  return time === null ? null : new Date(time);
}

function copyScopes(scopes: readonly string[]): readonly string[] {
  return scopes.length === 0 ? NO_SCOPES : Object.freeze([...scopes]);
}

function copyMetadata(value: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return Object.keys(value).length === 0
    ? NO_METADATA
    : (structuredClone(value) as Record<string, unknown>);
}
