// The refusal catalogue (docs/design.md, "Errors"): one class per failure, each with a stable
// `code` and its HTTP `status`. Callers match on `code`, never on `instanceof`, because two copies
// of this package can be installed side by side.
//
// Declaring a code is one class here: `static code` (plus `status` and `title` for a refusal).
// The instance reads them through the base class, so no literal is written twice.
import type { QuotaReport } from './quotas/quota-report.js';

/**
 * Base of every keygate error that has a stable `code`. A subclass declares `static code`; the
 * constructor copies it onto the instance, where callers read it.
 *
 * @example
 * ```ts
 * try {
 *   await keygate.keys.revoke(id);
 * } catch (error) {
 *   if ((error as { code?: unknown }).code === ApiKeyNotFoundError.code) console.log('gone');
 * }
 * ```
 */
export abstract class KeygateError extends Error {
  /** The stable code of every instance of this class. */
  static readonly code: string;
  /** The HTTP status a server answers with when this error reaches a client. */
  static readonly status: number;
  /** A short, human summary of the kind of problem (RFC 9457 `title`). */
  static readonly title: string;
  /** The stable code, copied from the class. */
  readonly code: string;
  /** The HTTP status, copied from the class. */
  readonly status: number;
  /** The title, copied from the class. */
  readonly title: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = new.target.code;
    this.status = new.target.status;
    this.title = new.target.title;
  }
}

/**
 * Base class of every refusal. Never carries the key: `detail` is written for the client and
 * holds only what the client already knows or may be told. A subclass declares `static code`,
 * `static status` and `static title`; the instance carries them as `code`, `status` and `title`.
 *
 * @example
 * ```ts
 * const result = await verifier.verify(header);
 * if (!result.ok && result.error.code === 'expired_api_key') console.log(result.error.detail);
 * ```
 */
export abstract class ApiKeyError extends KeygateError {
  static override readonly code: ApiKeyErrorCode;
  /** The HTTP status that a server answers with. */
  static override readonly status: ApiKeyErrorStatus;
  /** The stable code; see {@link ApiKeyErrorCode}. */
  declare readonly code: ApiKeyErrorCode;
  /** The HTTP status that a server answers with. */
  declare readonly status: ApiKeyErrorStatus;
  /** Seconds after which a retry may succeed (sent as `Retry-After`), where that makes sense. */
  readonly retryAfterSeconds: number | undefined;
  /** On quota refusals: where the key's rate limits and credits stand (sent as header fields). */
  readonly quota: QuotaReport | undefined;
  /** What went wrong, for the client (RFC 9457 `detail`). */
  get detail(): string {
    return this.message;
  }

  constructor(
    detail: string,
    options?: { retryAfterSeconds?: number; cause?: unknown; quota?: QuotaReport },
  ) {
    super(detail, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.quota = options?.quota;
  }
}

/** The HTTP statuses a refusal is answered with. */
export type ApiKeyErrorStatus = 401 | 403 | 429 | 503;

/** No `x-api-key` header was sent. */
export class MissingApiKeyError extends ApiKeyError {
  static override readonly code = 'missing_api_key';
  static override readonly status = 401;
  static override readonly title = 'API key required';
}

/** The value is not a key: wrong prefix, length, alphabet or checksum, or several headers. */
export class MalformedApiKeyError extends ApiKeyError {
  static override readonly code = 'malformed_api_key';
  static override readonly status = 401;
  static override readonly title = 'Malformed API key';
}

/** Well formed, but no such key exists (never issued, or deleted). */
export class InvalidApiKeyError extends ApiKeyError {
  static override readonly code = 'invalid_api_key';
  static override readonly status = 401;
  static override readonly title = 'Invalid API key';
}

/** The key is past its `expiresAt`. */
export class ExpiredApiKeyError extends ApiKeyError {
  static override readonly code = 'expired_api_key';
  static override readonly status = 401;
  static override readonly title = 'API key expired';
}

/** The key was revoked. */
export class RevokedApiKeyError extends ApiKeyError {
  static override readonly code = 'revoked_api_key';
  static override readonly status = 401;
  static override readonly title = 'API key revoked';
}

/** The key is disabled; unlike a revocation, its owner can enable it again. */
export class DisabledApiKeyError extends ApiKeyError {
  static override readonly code = 'disabled_api_key';
  static override readonly status = 401;
  static override readonly title = 'API key disabled';
}

/** The key belongs to an environment this server does not accept (a test key on live, say). */
export class WrongEnvironmentError extends ApiKeyError {
  static override readonly code = 'wrong_environment';
  static override readonly status = 401;
  static override readonly title = 'Wrong API key environment';
}

/** The key has no organisation, or its organisation is not active. */
export class MissingOrganisationError extends ApiKeyError {
  static override readonly code = 'missing_organisation';
  static override readonly status = 403;
  static override readonly title = 'No active organisation';
}

/** The route needs a scope that the key lacks. */
export class InsufficientScopeError extends ApiKeyError {
  static override readonly code = 'insufficient_scope';
  static override readonly status = 403;
  static override readonly title = 'Insufficient scope';
  /** The scopes the route asked for that the key does not have. */
  readonly missingScopes: readonly string[];

  constructor(missingScopes: readonly string[]) {
    super(`This API key lacks the required scope: ${missingScopes.join(', ')}.`);
    this.missingScopes = Object.freeze([...missingScopes]);
  }
}

/** The key made too many requests; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends ApiKeyError {
  static override readonly code = 'rate_limited';
  static override readonly status = 429;
  static override readonly title = 'Too many requests';
}

/** The key has used all its usage credits; `retryAfterSeconds` says when a refill is due. */
export class UsageExceededError extends ApiKeyError {
  static override readonly code = 'usage_exceeded';
  static override readonly status = 429;
  static override readonly title = 'Usage exceeded';
}

/** The key store failed or timed out: the request is refused, never let through (fail closed). */
export class KeyStoreUnavailableError extends ApiKeyError {
  static override readonly code = 'key_store_unavailable';
  static override readonly status = 503;
  static override readonly title = 'Key store unavailable';
}

/**
 * Every refusal class, in the order of the error table (docs/design.md, "Errors"). A new refusal
 * is a class above and an entry here: its code then joins {@link ApiKeyErrorCode} by itself.
 */
export const REFUSAL_CLASSES = [
  MissingApiKeyError,
  MalformedApiKeyError,
  InvalidApiKeyError,
  ExpiredApiKeyError,
  RevokedApiKeyError,
  DisabledApiKeyError,
  WrongEnvironmentError,
  MissingOrganisationError,
  InsufficientScopeError,
  RateLimitedError,
  UsageExceededError,
  KeyStoreUnavailableError,
] as const;

/** The stable string that names why a request was refused: the code of a refusal class. */
export type ApiKeyErrorCode = (typeof REFUSAL_CLASSES)[number]['code'];

/**
 * True for every error keygate throws on purpose (a refusal, a key that is not there or not
 * active, bad input), from this or any other copy of the package: each has a stable `code`, the
 * HTTP `status` to answer with and a `title`. A refusal of a request is an `ApiKeyError`.
 *
 * @example
 * ```ts
 * try {
 *   await keygate.keys.update(id, { name });
 * } catch (error) {
 *   if (isApiKeyError(error)) return Response.json({ code: error.code }, { status: error.status });
 *   throw error;
 * }
 * ```
 */
export function isApiKeyError(value: unknown): value is KeygateError {
  return (
    value instanceof Error &&
    typeof (value as Partial<KeygateError>).code === 'string' &&
    typeof (value as Partial<KeygateError>).status === 'number' &&
    typeof (value as Partial<KeygateError>).title === 'string'
  );
}

/**
 * Thrown by a {@link KeyStore} when an insert would reuse an id or a digest. Not a refusal: it
 * means the caller (or a store) broke an invariant, hence a 500 if it ever reaches a client.
 */
export class DuplicateApiKeyError extends KeygateError {
  static override readonly code = 'duplicate_api_key';
  static override readonly status = 500;
  static override readonly title = 'Duplicate API key';
}

/** Thrown by {@link KeyManager} operations on an id that no store record has. */
export class ApiKeyNotFoundError extends KeygateError {
  static override readonly code = 'api_key_not_found';
  static override readonly status = 404;
  static override readonly title = 'API key not found';
  /** The id that was asked for (a record id, never a key). */
  readonly keyId: string;
  constructor(keyId: string) {
    super(`No API key with id ${JSON.stringify(keyId)}.`);
    this.keyId = keyId;
  }
}

/** Thrown by {@link KeyManager} for an operation the key's state forbids (rotating a revoked key). */
export class ApiKeyStateError extends KeygateError {
  static override readonly code = 'api_key_not_active';
  static override readonly status = 409;
  static override readonly title = 'API key not active';
}

/** What {@link InvalidKeyInputError} says about the input it refuses. */
export interface InvalidKeyInputProblem {
  /** The input field, as the caller named it (`name`, `expiresAt`, `scopes`, …). */
  readonly field: string;
  /** What was given, shortened for messages (never a key: keys are not management input). */
  readonly given?: unknown;
  /** The limit the value broke, where there is one (`200` characters, `30d`, …). */
  readonly limit?: number | string;
}

/**
 * Thrown by the key manager for input it cannot take (a name too long, an unknown environment, a
 * grace period past 30 days): `field` says which input, `given` what it was, `limit` the bound.
 * The message is for the person who typed the value, so it names no internal field.
 *
 * @example
 * ```ts
 * try {
 *   await keys.create({ organisationId, name });
 * } catch (error) {
 *   if ((error as { code?: unknown }).code === 'invalid_key_input') console.log((error as InvalidKeyInputError).field);
 * }
 * ```
 */
export class InvalidKeyInputError extends KeygateError {
  static override readonly code = 'invalid_key_input';
  static override readonly status = 400;
  static override readonly title = 'Invalid input';
  readonly field: string;
  readonly given: string | undefined;
  readonly limit: number | string | undefined;

  constructor(message: string, problem: InvalidKeyInputProblem) {
    super(message);
    this.field = problem.field;
    this.given = 'given' in problem ? describeGiven(problem.given) : undefined;
    this.limit = problem.limit;
  }
}

// A short, printable account of a given value, for messages and logs.
function describeGiven(value: unknown): string {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    return shown;
  }
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  if (value === null || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value;
}
