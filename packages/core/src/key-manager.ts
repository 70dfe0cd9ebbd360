// Key management (DESIGN.md section 7): create (the key shown once), list, rename, expire,
// revoke, delete and rotate, all through the KeyStore. Plaintext keys leave only from create
// and rotate, and never reach the store.
import { createKeyDigester, type KeyDigester, type Pepper } from './digest.js';
import { ApiKeyNotFoundError, ApiKeyStateError } from './errors.js';
import { generateApiKey } from './generate.js';
import { createKeyFormat, type KeyFormat, type KeyFormatOptions } from './key-format.js';
import {
  type CreateApiKeyInput,
  checkCreateInput,
  checkExpiry,
  checkGracePeriod,
  checkName,
} from './key-manager-input.js';
import type { KeyStore, ListOptions } from './key-store.js';
import { type ApiKeyRecord, type ApiKeySummary, apiKeyStatus, toApiKeySummary } from './record.js';
import type { Verifier } from './verifier.js';
import { checkStore } from './verifier-options.js';

export type { CreateApiKeyInput } from './key-manager-input.js';

/** Options of {@link createKeyManager}. */
export interface KeyManagerOptions {
  /** Default: the verifier's store. One of the two is required. */
  readonly store?: KeyStore;
  /** When given, its cache forgets a key at once on revoke, delete, expiry change and rotate; its format and peppers are used unless given here. */
  readonly verifier?: Verifier;
  readonly format?: KeyFormat | KeyFormatOptions;
  readonly peppers?: readonly Pepper[];
}

/** A key just made: `key` is the secret, to show once; `record` is what may be shown later. */
export interface CreatedApiKey {
  readonly key: string;
  readonly record: ApiKeySummary;
}

/** The result of a rotation: the successor (with its secret) and the old key as it now is. */
export interface RotatedApiKey extends CreatedApiKey {
  readonly previous: ApiKeySummary;
}

/** One page of an organisation's keys, as a listing shows them. */
export interface ApiKeyListPage {
  readonly keys: readonly ApiKeySummary[];
  readonly nextCursor: string | null;
}

/** Manages keys in a store. */
export interface KeyManager {
  /** Issues a key. The plaintext is in the answer and nowhere else: show it once. */
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
  /** One key as a listing shows it, or `null`. */
  get(id: string): Promise<ApiKeySummary | null>;
  /** An organisation's keys, newest first, without digests. */
  list(organisationId: string, options?: ListOptions): Promise<ApiKeyListPage>;
  rename(id: string, name: string): Promise<ApiKeySummary>;
  /** Sets (or with `null` clears) the expiry. */
  setExpiry(id: string, expiresAt: Date | null): Promise<ApiKeySummary>;
  /** Revokes a key now; revoking a revoked key keeps its first revocation time. */
  revoke(id: string): Promise<ApiKeySummary>;
  /** Deletes a key; `false` when there was none. Requests with it then get `invalid_api_key`. */
  delete(id: string): Promise<boolean>;
  /**
   * Issues a successor with the same organisation, name, environment, scopes and metadata, and
   * lets the old key work for `gracePeriodMs` more (0, the default, ends it at once).
   */
  rotate(
    id: string,
    options?: { gracePeriodMs?: number; expiresAt?: Date | null },
  ): Promise<RotatedApiKey>;
}

/**
 * Creates a key manager.
 *
 * @example
 * ```ts
 * const keys = createKeyManager({ verifier });
 * const { key, record } = await keys.create({ organisationId: 'org_1', name: 'Production API' });
 * console.log(`Your key (shown once): ${key}`, record.prefix);
 * ```
 */
export function createKeyManager(options: KeyManagerOptions): KeyManager {
  const verifier = options.verifier;
  const store = checkStore(options.store ?? verifier?.options.store);
  const format =
    options.format === undefined
      ? (verifier?.options.format ?? createKeyFormat())
      : 'prefixes' in options.format
        ? options.format
        : createKeyFormat(options.format);
  const digester: KeyDigester =
    options.peppers === undefined && verifier !== undefined
      ? verifier.options.digester
      : createKeyDigester(options.peppers === undefined ? {} : { peppers: options.peppers });
  return new StoreKeyManager(store, format, digester, verifier);
}

class StoreKeyManager implements KeyManager {
  readonly #store: KeyStore;
  readonly #format: KeyFormat;
  readonly #digester: KeyDigester;
  readonly #verifier: Verifier | undefined;

  constructor(
    store: KeyStore,
    format: KeyFormat,
    digester: KeyDigester,
    verifier: Verifier | undefined,
  ) {
    this.#store = store;
    this.#format = format;
    this.#digester = digester;
    this.#verifier = verifier;
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const checked = checkCreateInput(input, this.#format);
    const generated = generateApiKey({ environment: checked.environment, format: this.#format });
    const record: ApiKeyRecord = {
      id: crypto.randomUUID(),
      organisationId: checked.organisationId,
      name: checked.name,
      prefix: generated.prefix,
      hash: this.#digester.current.digest(generated.key),
      hashVersion: this.#digester.current.version,
      environment: generated.environment,
      scopes: checked.scopes,
      metadata: checked.metadata,
      createdAt: new Date(),
      expiresAt: checked.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      replacedById: null,
      rateLimit: checked.rateLimit,
      credits: checked.credits,
      leakedAt: null,
      leakSource: null,
    };
    await this.#store.insert(record);
    return { key: generated.key, record: toApiKeySummary(record) };
  }

  async get(id: string): Promise<ApiKeySummary | null> {
    const record = await this.#store.findById(String(id));
    return record === null ? null : toApiKeySummary(record);
  }

  async list(organisationId: string, options?: ListOptions): Promise<ApiKeyListPage> {
    if (typeof organisationId !== 'string' || organisationId === '') {
      throw new TypeError('@keygate/core: list needs an organisation id');
    }
    const page = await this.#store.listByOrganisation(organisationId, options);
    const now = Date.now();
    return {
      keys: page.records.map((record) => toApiKeySummary(record, now)),
      nextCursor: page.nextCursor,
    };
  }

  rename(id: string, name: string): Promise<ApiKeySummary> {
    return this.#change(id, { name: checkName(name) });
  }

  setExpiry(id: string, expiresAt: Date | null): Promise<ApiKeySummary> {
    return this.#change(id, { expiresAt: checkExpiry(expiresAt) });
  }

  async revoke(id: string): Promise<ApiKeySummary> {
    const record = await this.#existing(id);
    if (record.revokedAt !== null) return toApiKeySummary(record);
    return this.#change(id, { revokedAt: new Date() });
  }

  async delete(id: string): Promise<boolean> {
    const record = await this.#store.findById(String(id));
    if (record === null) return false;
    const deleted = await this.#store.delete(record.id);
    this.#verifier?.invalidate({ id: record.id, hash: record.hash });
    return deleted;
  }

  async rotate(
    id: string,
    options: { gracePeriodMs?: number; expiresAt?: Date | null } = {},
  ): Promise<RotatedApiKey> {
    const gracePeriodMs = checkGracePeriod(options.gracePeriodMs ?? 0);
    const old = await this.#existing(id);
    if (apiKeyStatus(old) !== 'active') {
      throw new ApiKeyStateError(`API key ${old.id} is ${apiKeyStatus(old)} and cannot be rotated`);
    }
    // A key in its grace period already has a successor: a second rotation would fork the chain.
    if (old.replacedById !== null) {
      throw new ApiKeyStateError(
        `API key ${old.id} was already rotated; rotate ${old.replacedById}`,
      );
    }
    // The successor is written first: if ending the old key then fails, both still work and
    // nothing is lost; the caller can retry.
    const successor = await this.create({
      organisationId: old.organisationId,
      name: old.name,
      environment: old.environment,
      scopes: old.scopes,
      metadata: old.metadata,
      expiresAt: options.expiresAt === undefined ? null : options.expiresAt,
      rateLimit: old.rateLimit,
      credits:
        old.credits === null
          ? null
          : { remaining: old.credits.remaining, refill: old.credits.refill },
    });
    const now = Date.now();
    const graceEnd = new Date(now + gracePeriodMs);
    const previous = await this.#change(
      old.id,
      gracePeriodMs === 0
        ? { revokedAt: new Date(now), replacedById: successor.record.id }
        : {
            replacedById: successor.record.id,
            expiresAt:
              old.expiresAt !== null && old.expiresAt < graceEnd ? old.expiresAt : graceEnd,
          },
    );
    return { ...successor, previous };
  }

  async #existing(id: string): Promise<ApiKeyRecord> {
    const record = await this.#store.findById(String(id));
    if (record === null) throw new ApiKeyNotFoundError(String(id));
    return record;
  }

  async #change(id: string, changes: Parameters<KeyStore['update']>[1]): Promise<ApiKeySummary> {
    const before = await this.#existing(id);
    const after = await this.#store.update(before.id, changes);
    if (after === null) throw new ApiKeyNotFoundError(String(id));
    this.#verifier?.invalidate({ id: before.id, hash: before.hash });
    return toApiKeySummary(after);
  }
}
