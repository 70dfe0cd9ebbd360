// Checks what callers pass to the key manager: wrong input throws a TypeError or RangeError that
// says what is wrong, before anything is generated or written.
import { InvalidKeyInputError } from './errors.js';
import type { KeyFormat } from './key-format.js';
import { UNPRINTABLE_CHARACTER } from './printable-text.js';
import type { ApiKeyCredits } from './quotas/credits.js';
import {
  type CreditsInput,
  type CreditsUpdate,
  checkCreditsInput,
  checkCreditsUpdate,
  checkRateLimitInput,
} from './quotas/quota-input.js';
import type { RateLimitPolicy } from './quotas/rate-limit-policy.js';

/** What {@link KeyManager.create} takes. */
export interface CreateApiKeyInput {
  /** The organisation the key acts for; `null` makes a key that every request refuses. */
  readonly organisationId: string | null;
  /**
   * A descriptive name, 1–200 characters (e.g. "Production API"), without control characters
   * (newlines, tabs, terminal escapes): names are printed in tables and terminals.
   */
  readonly name: string;
  /** Default: the format's first environment (`live`). */
  readonly environment?: string;
  /** Default: never expires. */
  readonly expiresAt?: Date | null;
  readonly scopes?: readonly string[];
  /** A JSON object, at most 8 KiB serialised. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The key's own rate limit (the default and its organisation's apply too). Default: none. */
  readonly rateLimit?: RateLimitPolicy | null;
  /** Usage credits (a balance and an optional refill). Default: none, the key is not metered. */
  readonly credits?: CreditsInput | null;
}

/** What {@link KeyManager.update} takes: only the fields to change. */
export interface UpdateApiKeyInput {
  /** A new name, 1–200 characters. */
  readonly name?: string;
  /** A new expiry, or `null` for a key that never expires. */
  readonly expiresAt?: Date | null;
  /** The key's new scopes (replacing the old ones). */
  readonly scopes?: readonly string[];
  /** The key's new metadata (replacing the old). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** `false` disables the key (refused with `disabled_api_key`), `true` enables it again. */
  readonly enabled?: boolean;
  /** The key's own rate limit, or `null` to remove it. */
  readonly rateLimit?: RateLimitPolicy | null;
  /**
   * The key's credits, or `null` to stop metering it. A part left out is kept: `{ refill }` alone
   * changes the refill and keeps the balance. Setting `remaining` restarts the refill clock.
   */
  readonly credits?: CreditsUpdate | null;
}

/** An update, checked and normalised: only the fields that were given. */
export interface CheckedUpdateInput {
  readonly name?: string;
  readonly expiresAt?: Date | null;
  readonly scopes?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly enabled?: boolean;
  readonly rateLimit?: RateLimitPolicy | null;
  readonly credits?: CreditsUpdate | null;
}

/** The input, checked and normalised. */
export interface CheckedCreateInput {
  readonly organisationId: string | null;
  readonly name: string;
  readonly environment: string;
  readonly expiresAt: Date | null;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly rateLimit: RateLimitPolicy | null;
  readonly credits: ApiKeyCredits | null;
}

/** Longest key name, in characters (after trimming). */
export const MAX_NAME_LENGTH = 200;
const MAX_SCOPES = 100;
const SCOPE = /^[A-Za-z0-9:._*/-]{1,100}$/;
const MAX_METADATA_BYTES = 8192;
/** Longest rotation grace period: 30 days. */
export const MAX_GRACE_PERIOD_MS = 30 * 24 * 60 * 60 * 1000;

/** Checks and normalises the input of `create`. */
export function checkCreateInput(input: CreateApiKeyInput, format: KeyFormat): CheckedCreateInput {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('@keygate/core: create needs { organisationId, name }');
  }
  const organisationId = input.organisationId;
  if (
    organisationId !== null &&
    (typeof organisationId !== 'string' ||
      organisationId.length === 0 ||
      organisationId.length > 200)
  ) {
    throw new TypeError(
      '@keygate/core: organisationId must be a non-empty string of at most 200 characters, or null',
    );
  }
  const environment = input.environment ?? format.environments[0]!;
  if (!format.environments.includes(environment)) {
    throw new TypeError(
      `@keygate/core: environment must be one of ${format.environments.join(', ')}`,
    );
  }
  return {
    organisationId,
    name: checkName(input.name),
    environment,
    expiresAt: checkExpiry(input.expiresAt ?? null),
    scopes: checkScopes(input.scopes ?? []),
    metadata: checkMetadata(input.metadata ?? {}),
    rateLimit: checkRateLimitInput(input.rateLimit ?? null),
    credits: checkCreditsInput(input.credits ?? null, new Date()),
  };
}

/** Checks and normalises the input of `update`; at least one field must be given. */
export function checkUpdateInput(input: UpdateApiKeyInput): CheckedUpdateInput {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('@keygate/core: update needs the fields to change');
  }
  const { name, expiresAt, scopes, metadata, enabled, rateLimit, credits } = input;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new TypeError('@keygate/core: enabled must be true or false');
  }
  const checked: CheckedUpdateInput = {
    ...(name === undefined ? {} : { name: checkName(name) }),
    ...(expiresAt === undefined ? {} : { expiresAt: checkExpiry(expiresAt) }),
    ...(scopes === undefined ? {} : { scopes: checkScopes(scopes) }),
    ...(metadata === undefined ? {} : { metadata: checkMetadata(metadata) }),
    ...(enabled === undefined ? {} : { enabled }),
    ...(rateLimit === undefined ? {} : { rateLimit: checkRateLimitInput(rateLimit) }),
    ...(credits === undefined ? {} : { credits: checkCreditsUpdate(credits) }),
  };
  if (Object.keys(checked).length === 0) {
    throw new TypeError(
      '@keygate/core: update needs a name, expiry, scopes, metadata, enabled, rateLimit or credits',
    );
  }
  return checked;
}

/**
 * A name: a string of 1–200 characters (code points, not UTF-16 units) once trimmed, with no
 * control character. Throws {@link InvalidKeyInputError} (field `name`).
 */
export function checkName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  let length = 0;
  for (const _character of trimmed) length++;
  if (length === 0 || length > MAX_NAME_LENGTH) {
    throw new InvalidKeyInputError('name', `a key name must be 1–${MAX_NAME_LENGTH} characters`);
  }
  if (UNPRINTABLE_CHARACTER.test(trimmed)) {
    throw new InvalidKeyInputError(
      'name',
      'a key name must not contain control characters (newlines, tabs, terminal escapes, direction overrides)',
    );
  }
  return trimmed;
}

/** An expiry: `null` or a valid Date. */
export function checkExpiry(expiresAt: unknown): Date | null {
  if (expiresAt === null) return null;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw new TypeError('@keygate/core: expiresAt must be a valid Date or null');
  }
  return new Date(expiresAt.getTime());
}

/** A rotation grace period: whole milliseconds from 0 to 30 days. */
export function checkGracePeriod(gracePeriodMs: unknown): number {
  if (
    typeof gracePeriodMs !== 'number' ||
    !Number.isSafeInteger(gracePeriodMs) ||
    gracePeriodMs < 0 ||
    gracePeriodMs > MAX_GRACE_PERIOD_MS
  ) {
    throw new RangeError(
      '@keygate/core: gracePeriodMs must be whole milliseconds from 0 to 30 days',
    );
  }
  return gracePeriodMs;
}

function checkScopes(scopes: unknown): readonly string[] {
  if (
    !Array.isArray(scopes) ||
    scopes.length > MAX_SCOPES ||
    !scopes.every((scope) => typeof scope === 'string' && SCOPE.test(scope))
  ) {
    throw new TypeError(
      `@keygate/core: scopes must be at most ${MAX_SCOPES} strings of [A-Za-z0-9:._*/-], 1–100 characters each`,
    );
  }
  return [...new Set(scopes as string[])];
}

function checkMetadata(metadata: unknown): Readonly<Record<string, unknown>> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError('@keygate/core: metadata must be a JSON object');
  }
  let serialised: string;
  try {
    serialised = JSON.stringify(metadata);
  } catch {
    throw new TypeError('@keygate/core: metadata must be serialisable as JSON');
  }
  if (new TextEncoder().encode(serialised).length > MAX_METADATA_BYTES) {
    throw new RangeError('@keygate/core: metadata must be at most 8 KiB as JSON');
  }
  return JSON.parse(serialised) as Record<string, unknown>;
}
