// Key management (docs/design.md, "Management"): create (the key shown once), list, rename, expire,
// revoke, delete and rotate, all through the KeyStore. Plaintext keys leave only from create
// and rotate, and never reach the store.

import type {
  AuditAction,
  AuditContext,
  AuditEvent,
  AuditPage,
  AuditQuery,
  AuditSink,
} from './audit/audit-event.js';
import { checkStore } from './check-store.js';
import { createKeyDigester, type KeyDigester, type Pepper } from './digest.js';
import { ApiKeyNotFoundError, ApiKeyStateError } from './errors.js';
import { generateApiKey } from './generate.js';
import { createKeyFormat, type KeyFormat, type KeyFormatOptions } from './key-format.js';
import {
  asInputError,
  type CheckedCreateInput,
  type CreateApiKeyInput,
  checkCreateInput,
  checkExpiry,
  checkGracePeriod,
  checkUpdateInput,
  type UpdateApiKeyInput,
} from './key-manager-input.js';
import type { ApiKeyUpdateCondition, KeyStore, ListOptions } from './key-store.js';
import { checkLogger, createConsoleLogger, errorFields, type KeygateLogger } from './logger.js';
import { applyCreditsUpdate } from './quotas/quota-input.js';
import {
  type ApiKeyRecord,
  type ApiKeyRecordChanges,
  type ApiKeySummary,
  apiKeyStatus,
  toApiKeySummary,
} from './record.js';
import { type KeyUsage, MAX_USAGE_DAYS, usageDaysUntil } from './usage/usage-entry.js';
import type { Verifier } from './verifier.js';

export type { CreateApiKeyInput, UpdateApiKeyInput } from './key-manager-input.js';

/** Options of {@link createKeyManager}. */
export interface KeyManagerOptions {
  /** Default: the verifier's store. One of the two is required. */
  readonly store?: KeyStore;
  /** When given, its cache forgets a key at once on revoke, delete, expiry change and rotate; its format and peppers are used unless given here. */
  readonly verifier?: Verifier;
  readonly format?: KeyFormat | KeyFormatOptions;
  readonly peppers?: readonly Pepper[];
  /** Where each management action is recorded (docs/observability.md, "Audit log"). */
  readonly audit?: AuditSink;
  /** Called with each audit event too (after `audit` kept it), to ship it elsewhere. */
  readonly onAudit?: (event: AuditEvent) => void | Promise<void>;
  /** Where a failed audit write is logged. Default: the verifier's logger, or a console one. */
  readonly logger?: KeygateLogger;
}

/**
 * Limits an operation to one organisation's keys: a key of another organisation is treated
 * exactly like one that does not exist (`api_key_not_found`, or `false` from `delete`), so that
 * ids cannot be probed across organisations.
 */
export interface OrganisationGuard extends AuditContext {
  readonly organisationId?: string;
}

/** Options of {@link KeyManager.usage}. */
export interface KeyUsageOptions extends OrganisationGuard {
  /** How many days, ending today (UTC): 1 to 366, default 30. */
  readonly days?: number;
}

/** Options of {@link KeyManager.rotate}. */
export interface RotateApiKeyOptions extends OrganisationGuard {
  /** How long the old key keeps working, in milliseconds: 0 (the default) to 30 days. */
  readonly gracePeriodMs?: number;
  /** The successor's expiry. Default: the old key's expiry instant (`null`: never expires). */
  readonly expiresAt?: Date | null;
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

/**
 * Manages keys in a store. Every operation on one key reads it once and writes it once; the
 * checks that decide a write ("not revoked", "not rotated yet") are repeated by the store in the
 * same atomic step as the write, so concurrent calls cannot both pass them.
 */
export interface KeyManager {
  /** Issues a key. The plaintext is in the answer and nowhere else: show it once. */
  create(input: CreateApiKeyInput, context?: AuditContext): Promise<CreatedApiKey>;
  /** One key as a listing shows it, or `null`. */
  get(id: string, guard?: OrganisationGuard): Promise<ApiKeySummary | null>;
  /** An organisation's keys, newest first, without digests. */
  list(organisationId: string, options?: ListOptions): Promise<ApiKeyListPage>;
  /**
   * Changes a key's name, expiry (`null`: never), scopes, metadata or enabled state in one write.
   * A revoked key cannot be changed (revocation is final); a disabled key is refused with
   * `disabled_api_key` until it is enabled again.
   */
  update(id: string, changes: UpdateApiKeyInput, guard?: OrganisationGuard): Promise<ApiKeySummary>;
  /** Same as `update(id, { name })`. */
  rename(id: string, name: string, guard?: OrganisationGuard): Promise<ApiKeySummary>;
  /** Same as `update(id, { expiresAt })`: sets (or with `null` clears) the expiry. */
  setExpiry(id: string, expiresAt: Date | null, guard?: OrganisationGuard): Promise<ApiKeySummary>;
  /** Revokes a key now; revoking a revoked key keeps its first revocation time. */
  revoke(id: string, guard?: OrganisationGuard): Promise<ApiKeySummary>;
  /** Deletes a key; `false` when there was none. Requests with it then get `invalid_api_key`. */
  delete(id: string, guard?: OrganisationGuard): Promise<boolean>;
  /**
   * Issues a successor with the same organisation, name, environment, scopes, metadata and expiry
   * instant (unless `expiresAt` says otherwise), and lets the old key work for `gracePeriodMs`
   * more (0, the default, ends it at once). Of concurrent rotations of one key exactly one wins;
   * the others reject with `api_key_not_active`, as does rotating a key that is not active or
   * already has a successor.
   */
  rotate(id: string, options?: RotateApiKeyOptions): Promise<RotatedApiKey>;
  /**
   * A key's verifications per UTC day (accepted, refused), oldest first, zero-filled; counts
   * reach the store when verifiers flush (every few seconds). Rejects with `api_key_not_found`
   * for a key that does not exist (or is another organisation's).
   */
  usage(id: string, options?: KeyUsageOptions): Promise<KeyUsage>;
  /** An organisation's audit events, newest first; an empty page without an audit sink. */
  listAuditEvents(query: AuditQuery): Promise<AuditPage>;
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
  if (options.audit !== undefined && typeof options.audit?.record !== 'function') {
    throw new TypeError('@keygate/core: audit must be an audit sink (with record and list)');
  }
  if (options.onAudit !== undefined && typeof options.onAudit !== 'function') {
    throw new TypeError('@keygate/core: onAudit must be a function');
  }
  const logger =
    checkLogger(options.logger, '@keygate/core') ??
    verifier?.options.logger ??
    createConsoleLogger();
  return new StoreKeyManager(store, format, digester, verifier, {
    audit: options.audit,
    onAudit: options.onAudit,
    logger,
  });
}

interface AuditOutlet {
  readonly audit: AuditSink | undefined;
  readonly onAudit: ((event: AuditEvent) => void | Promise<void>) | undefined;
  readonly logger: KeygateLogger;
}

class StoreKeyManager implements KeyManager {
  readonly #store: KeyStore;
  readonly #format: KeyFormat;
  readonly #digester: KeyDigester;
  readonly #verifier: Verifier | undefined;
  readonly #outlet: AuditOutlet;

  constructor(
    store: KeyStore,
    format: KeyFormat,
    digester: KeyDigester,
    verifier: Verifier | undefined,
    outlet: AuditOutlet,
  ) {
    this.#store = store;
    this.#format = format;
    this.#digester = digester;
    this.#verifier = verifier;
    this.#outlet = outlet;
  }

  async create(input: CreateApiKeyInput, context?: AuditContext): Promise<CreatedApiKey> {
    const created = await this.#issue(checkCreateInput(input, this.#format));
    await this.#audit('create', created.record, context);
    return created;
  }

  async get(id: string, guard?: OrganisationGuard): Promise<ApiKeySummary | null> {
    const record = await this.#store.findById(String(id));
    return record === null || !isGuarded(record, guard) ? null : toApiKeySummary(record);
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

  async update(
    id: string,
    input: UpdateApiKeyInput,
    guard?: OrganisationGuard,
  ): Promise<ApiKeySummary> {
    const checked = checkUpdateInput(input);
    const before = await this.#read(id, guard);
    if (before.revokedAt !== null) {
      throw new ApiKeyStateError(`API key ${before.id} is revoked and cannot be changed`);
    }
    const { enabled, ...changes } = checked;
    const condition: { revokedAt: null; replacedById?: null } = { revokedAt: null };
    if (changes.expiresAt !== undefined) {
      // A rotated key ends with its grace period; a later expiry would keep two keys alive.
      if (before.replacedById !== null) {
        throw new ApiKeyStateError(
          `API key ${before.id} was rotated: it stops working when its grace period ends`,
        );
      }
      condition.replacedById = null;
    }
    const { credits, ...others } = changes;
    // A new refill alone on a key with credits changes the refill fields only: the balance is the
    // store's at the write, so credits taken since the read stay taken (docs/quotas.md).
    const refillOnly =
      credits !== undefined &&
      credits !== null &&
      credits.remaining === undefined &&
      before.credits !== null;
    const write: ApiKeyRecordChanges = {
      ...others,
      ...(credits === undefined
        ? {}
        : refillOnly
          ? { creditRefill: credits.refill ?? null }
          : {
              // A refill alone on a key without credits is the caller's mistake: a 400, not a 503.
              credits: asInputError('credits', credits, () =>
                applyCreditsUpdate(before.credits, credits, new Date()),
              ),
            }),
      // Disabling a disabled key keeps the time it was first disabled.
      ...(enabled === undefined
        ? {}
        : { disabledAt: enabled ? null : (before.disabledAt ?? new Date()) }),
    };
    const after = await this.#write(before, write, condition);
    // One event per call: an update that sets `enabled` is the disable or enable it does.
    await this.#audit(
      enabled === undefined ? 'update' : enabled ? 'enable' : 'disable',
      after,
      guard,
    );
    return after;
  }

  rename(id: string, name: string, guard?: OrganisationGuard): Promise<ApiKeySummary> {
    return this.update(id, { name }, guard);
  }

  setExpiry(id: string, expiresAt: Date | null, guard?: OrganisationGuard): Promise<ApiKeySummary> {
    return this.update(id, { expiresAt }, guard);
  }

  async revoke(id: string, guard?: OrganisationGuard): Promise<ApiKeySummary> {
    const before = await this.#read(id, guard);
    if (before.revokedAt !== null) return toApiKeySummary(before);
    try {
      const after = await this.#write(before, { revokedAt: new Date() }, { revokedAt: null });
      await this.#audit('revoke', after, guard);
      return after;
    } catch (error) {
      if (!isStateError(error)) throw error;
      // Revoked by someone else since the read: theirs is the first revocation time, so answer
      // with the record as it now is (the one case where revoke reads twice).
      return toApiKeySummary(await this.#read(id, guard));
    }
  }

  async delete(id: string, guard?: OrganisationGuard): Promise<boolean> {
    const record = await this.#store.findById(String(id));
    if (record === null || !isGuarded(record, guard)) return false;
    const deleted = await this.#store.delete(record.id);
    this.#verifier?.invalidate({ id: record.id, hash: record.hash });
    if (deleted) await this.#audit('delete', record, guard);
    return deleted;
  }

  async rotate(id: string, options: RotateApiKeyOptions = {}): Promise<RotatedApiKey> {
    const gracePeriodMs = checkGracePeriod(options.gracePeriodMs ?? 0);
    const expiresAtOverride =
      options.expiresAt === undefined ? undefined : checkExpiry(options.expiresAt);
    const old = await this.#read(id, options);
    const status = apiKeyStatus(old);
    if (status !== 'active') {
      throw new ApiKeyStateError(`API key ${old.id} is ${status} and cannot be rotated`);
    }
    // A key in its grace period already has a successor: a second rotation would fork the chain.
    if (old.replacedById !== null) {
      throw new ApiKeyStateError(
        `API key ${old.id} was already rotated; rotate ${old.replacedById}`,
      );
    }
    // The successor is written first: if ending the old key then fails, both still work and
    // nothing is lost. The successor keeps the old key's policy unless the call overrides it.
    const successor = await this.#issue({
      organisationId: old.organisationId,
      name: old.name,
      environment: old.environment,
      scopes: old.scopes,
      metadata: old.metadata,
      expiresAt: expiresAtOverride === undefined ? old.expiresAt : expiresAtOverride,
      // The successor starts with the old key's balance and refill schedule.
      rateLimit: old.rateLimit,
      credits: old.credits,
    });
    const now = Date.now();
    const graceEnd = new Date(now + gracePeriodMs);
    try {
      const previous = await this.#write(
        old,
        gracePeriodMs === 0
          ? { revokedAt: new Date(now), replacedById: successor.record.id }
          : {
              replacedById: successor.record.id,
              expiresAt:
                old.expiresAt !== null && old.expiresAt < graceEnd ? old.expiresAt : graceEnd,
            },
        // Written only if no other rotation (or revocation) got there since the read.
        { replacedById: null, revokedAt: null },
      );
      // One event, on the key that was rotated (its successor is its replacedById).
      await this.#audit('rotate', previous, options);
      return { ...successor, previous };
    } catch (error) {
      // Another rotation won: its successor is the key's, so this one is taken back before
      // anyone saw it. Any other failure keeps it, since the old key may have been ended.
      if (isStateError(error)) await this.#store.delete(successor.record.id).catch(() => {});
      throw error;
    }
  }

  async usage(id: string, options: KeyUsageOptions = {}): Promise<KeyUsage> {
    const days = options.days ?? 30;
    if (!Number.isSafeInteger(days) || days < 1 || days > MAX_USAGE_DAYS) {
      throw new RangeError(
        `@keygate/core: days must be a whole number from 1 to ${MAX_USAGE_DAYS}`,
      );
    }
    const record = await this.#read(id, options);
    const dates = usageDaysUntil(Date.now(), days);
    const stored =
      (await this.#store.readUsage?.(record.id, dates[0]!, dates[dates.length - 1]!)) ?? [];
    const byDate = new Map(stored.map((entry) => [entry.date, entry]));
    return {
      keyId: record.id,
      days: dates.map((date) => ({
        date,
        accepted: byDate.get(date)?.accepted ?? 0,
        refused: byDate.get(date)?.refused ?? 0,
      })),
    };
  }

  async listAuditEvents(query: AuditQuery): Promise<AuditPage> {
    const audit = this.#outlet.audit;
    if (audit === undefined) return { events: [], nextCursor: null };
    return audit.list(query);
  }

  // Records one action. The action is done by now: a failing sink or hook is logged, never
  // thrown, so the caller is not told "failed" about a change that happened.
  async #audit(
    action: AuditAction,
    key: { readonly id: string; readonly prefix: string; readonly organisationId: string | null },
    context: AuditContext | undefined,
  ): Promise<void> {
    const { audit, onAudit, logger } = this.#outlet;
    if (audit === undefined && onAudit === undefined) return;
    const event: AuditEvent = Object.freeze({
      id: crypto.randomUUID(),
      action,
      keyId: key.id,
      keyPrefix: key.prefix,
      organisationId: key.organisationId,
      // Bounded like the columns that keep them (SQL: 255 and 64 characters).
      actor: typeof context?.actor === 'string' ? context.actor.slice(0, 255) : null,
      ip: typeof context?.ip === 'string' ? context.ip.slice(0, 64) : null,
      at: new Date(),
    });
    try {
      await audit?.record(event);
    } catch (error) {
      logger.error(
        { action, keyId: key.id, ...errorFields(error) },
        '@keygate/core: the audit sink failed',
      );
    }
    try {
      await onAudit?.(event);
    } catch (error) {
      logger.error(
        { action, keyId: key.id, ...errorFields(error) },
        '@keygate/core: onAudit failed',
      );
    }
  }

  async #issue(checked: CheckedCreateInput): Promise<CreatedApiKey> {
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
      disabledAt: null,
      rateLimit: checked.rateLimit,
      credits: checked.credits,
      leakedAt: null,
      leakSource: null,
    };
    await this.#store.insert(record);
    return { key: generated.key, record: toApiKeySummary(record) };
  }

  // The one read of an operation; another organisation's key is "not found".
  async #read(id: string, guard: OrganisationGuard | undefined): Promise<ApiKeyRecord> {
    const record = await this.#store.findById(String(id));
    if (record === null || !isGuarded(record, guard)) throw new ApiKeyNotFoundError(String(id));
    return record;
  }

  // The one write of an operation, then the local cache forgets the key.
  async #write(
    before: ApiKeyRecord,
    changes: ApiKeyRecordChanges,
    condition: ApiKeyUpdateCondition,
  ): Promise<ApiKeySummary> {
    let after: ApiKeyRecord | null;
    try {
      after = await this.#store.update(before.id, changes, condition);
    } catch (error) {
      if (!isStateError(error)) throw error;
      throw new ApiKeyStateError(`API key ${before.id} was revoked or rotated meanwhile`);
    }
    this.#verifier?.invalidate({ id: before.id, hash: before.hash });
    if (after === null) throw new ApiKeyNotFoundError(before.id);
    return toApiKeySummary(after);
  }
}

function isGuarded(record: ApiKeyRecord, guard: OrganisationGuard | undefined): boolean {
  return guard?.organisationId === undefined || record.organisationId === guard.organisationId;
}

// Matched by code: a store may use another copy of this package.
function isStateError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'api_key_not_active';
}
