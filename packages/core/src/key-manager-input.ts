// Checks what callers pass to the key manager: wrong input throws an InvalidKeyInputError (code
// `invalid_key_input`) that says which input, what was given and the limit, before anything is
// generated or written. Messages name what a person typed, never an internal field.
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
import { isScope, SCOPE_SYNTAX } from './scopes.js';

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
const MAX_METADATA_BYTES = 8192;
/** Longest rotation grace period: 30 days. */
export const MAX_GRACE_PERIOD_MS = 30 * 24 * 60 * 60 * 1000;

/** Checks and normalises the input of `create`. */
export function checkCreateInput(input: CreateApiKeyInput, format: KeyFormat): CheckedCreateInput {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidKeyInputError('A key needs an organisation and a name.', {
      field: 'input',
      given: input,
    });
  }
  const organisationId = input.organisationId;
  if (
    organisationId !== null &&
    (typeof organisationId !== 'string' ||
      organisationId.length === 0 ||
      organisationId.length > 200)
  ) {
    throw new InvalidKeyInputError(
      'The organisation id must be 1 to 200 characters (or none, for a key every request refuses).',
      { field: 'organisationId', given: organisationId, limit: 200 },
    );
  }
  const environment = input.environment ?? format.environments[0]!;
  if (!format.environments.includes(environment)) {
    throw new InvalidKeyInputError(
      `The environment must be one of ${format.environments.join(', ')}; got ${JSON.stringify(String(environment))}.`,
      { field: 'environment', given: environment, limit: format.environments.join(', ') },
    );
  }
  return {
    organisationId,
    name: checkName(input.name),
    environment,
    expiresAt: checkExpiry(input.expiresAt ?? null),
    scopes: checkScopes(input.scopes ?? []),
    metadata: checkMetadata(input.metadata ?? {}),
    rateLimit: asInputError('rateLimit', input.rateLimit, () =>
      checkRateLimitInput(input.rateLimit ?? null),
    ),
    credits: asInputError('credits', input.credits, () =>
      checkCreditsInput(input.credits ?? null, new Date()),
    ),
  };
}

/**
 * Checks and normalises the input of `update`; at least one field must be given. The answer has
 * the input's own shape, holding only the fields that were given.
 */
export function checkUpdateInput(input: UpdateApiKeyInput): UpdateApiKeyInput {
  if (typeof input !== 'object' || input === null) {
    throw nothingToChange(input);
  }
  const { name, expiresAt, scopes, metadata, enabled, rateLimit, credits } = input;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new InvalidKeyInputError('"enabled" must be true or false.', {
      field: 'enabled',
      given: enabled,
    });
  }
  const checked: UpdateApiKeyInput = {
    ...(name === undefined ? {} : { name: checkName(name) }),
    ...(expiresAt === undefined ? {} : { expiresAt: checkExpiry(expiresAt) }),
    ...(scopes === undefined ? {} : { scopes: checkScopes(scopes) }),
    ...(metadata === undefined ? {} : { metadata: checkMetadata(metadata) }),
    ...(enabled === undefined ? {} : { enabled }),
    ...(rateLimit === undefined
      ? {}
      : { rateLimit: asInputError('rateLimit', rateLimit, () => checkRateLimitInput(rateLimit)) }),
    ...(credits === undefined
      ? {}
      : { credits: asInputError('credits', credits, () => checkCreditsUpdate(credits)) }),
  };
  if (Object.keys(checked).length === 0) throw nothingToChange(input);
  return checked;
}

/**
 * Runs a quota check shared with option checking (where a TypeError or RangeError is right); as
 * key input it is the caller's data, so its error becomes the typed input error of `field`.
 */
export function asInputError<T>(field: string, given: unknown, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    const message = error.message.replace(/^@keygate\/\w+: /, '');
    // A message that opens with the field's own name (`rateLimit.limit must …`) keeps its case:
    // the user typed that name. Prose opens with a capital.
    const opensWithField = /^[a-z]+[A-Z.]/.test(message);
    const sentence = opensWithField ? message : `${message[0]!.toUpperCase()}${message.slice(1)}`;
    throw new InvalidKeyInputError(`${sentence}.`, {
      field,
      given,
    });
  }
}

function nothingToChange(given: unknown): InvalidKeyInputError {
  return new InvalidKeyInputError(
    'Say what to change: the name, the expiry, the scopes, the metadata, enabled, the rate limit or the credits.',
    { field: 'input', given },
  );
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
    throw new InvalidKeyInputError(
      `A key name must be 1 to ${MAX_NAME_LENGTH} characters; got ${typeof name === 'string' ? length : 'no text'}.`,
      { field: 'name', given: name, limit: MAX_NAME_LENGTH },
    );
  }
  if (UNPRINTABLE_CHARACTER.test(trimmed)) {
    throw new InvalidKeyInputError(
      'A key name must not contain control characters (newlines, tabs, terminal escapes, direction overrides).',
      { field: 'name', given: name },
    );
  }
  return trimmed;
}

/** An expiry: `null` or a valid Date. */
export function checkExpiry(expiresAt: unknown): Date | null {
  if (expiresAt === null) return null;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw new InvalidKeyInputError('The expiry must be a valid date, or none.', {
      field: 'expiresAt',
      given: expiresAt,
    });
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
    throw new InvalidKeyInputError('The grace period must be from 0 to 30 days.', {
      field: 'gracePeriodMs',
      given: gracePeriodMs,
      limit: '30d',
    });
  }
  return gracePeriodMs;
}

/** Scopes: at most 100, each a valid scope (see `isScope`); duplicates are dropped. */
export function checkScopes(scopes: unknown): readonly string[] {
  if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES) {
    throw new InvalidKeyInputError(`A key takes a list of at most ${MAX_SCOPES} scopes.`, {
      field: 'scopes',
      given: scopes,
      limit: MAX_SCOPES,
    });
  }
  const bad = scopes.find((scope) => !isScope(scope));
  if (scopes.some((scope) => !isScope(scope))) {
    throw new InvalidKeyInputError(
      `${JSON.stringify(typeof bad === 'string' ? bad : String(bad))} is not a scope: ${SCOPE_SYNTAX}`,
      { field: 'scopes', given: bad, limit: SCOPE_SYNTAX },
    );
  }
  return [...new Set(scopes as string[])];
}

function checkMetadata(metadata: unknown): Readonly<Record<string, unknown>> {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new InvalidKeyInputError('Metadata must be a JSON object.', {
      field: 'metadata',
      given: metadata,
    });
  }
  let serialised: string;
  try {
    serialised = JSON.stringify(metadata);
  } catch {
    throw new InvalidKeyInputError('Metadata must be serialisable as JSON.', {
      field: 'metadata',
      given: metadata,
    });
  }
  const bytes = new TextEncoder().encode(serialised).length;
  if (bytes > MAX_METADATA_BYTES) {
    throw new InvalidKeyInputError(
      `Metadata must be at most 8 KiB as JSON; this is ${bytes} bytes.`,
      {
        field: 'metadata',
        given: metadata,
        limit: MAX_METADATA_BYTES,
      },
    );
  }
  return JSON.parse(serialised) as Record<string, unknown>;
}
