// The refusal catalogue (DESIGN.md section 6): one class per failure, each with a stable `code`
// and its HTTP `status`. Callers match on `code`, never on `instanceof`, because two copies of
// this package can be installed side by side.
import type { QuotaReport } from './quotas/quota-report.js';

/** The stable string that names why a request was refused. */
export type ApiKeyErrorCode =
  | 'missing_api_key'
  | 'malformed_api_key'
  | 'invalid_api_key'
  | 'expired_api_key'
  | 'revoked_api_key'
  | 'wrong_environment'
  | 'missing_organisation'
  | 'insufficient_scope'
  | 'rate_limited'
  | 'usage_exceeded'
  | 'key_store_unavailable';

/**
 * Base class of every refusal. Never carries the key: `detail` is written for the client and
 * holds only what the client already knows or may be told.
 *
 * @example
 * ```ts
 * const result = await verifier.verify(header);
 * if (!result.ok && result.error.code === 'expired_api_key') console.log(result.error.detail);
 * ```
 */
export abstract class ApiKeyError extends Error {
  /** The stable code; see {@link ApiKeyErrorCode}. */
  static readonly code: ApiKeyErrorCode;
  abstract readonly code: ApiKeyErrorCode;
  /** The HTTP status that a server answers with. */
  abstract readonly status: 401 | 403 | 429 | 503;
  /** A short, human summary of the kind of problem (RFC 9457 `title`). */
  abstract readonly title: string;
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
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.quota = options?.quota;
  }
}

/** No `x-api-key` header was sent. */
export class MissingApiKeyError extends ApiKeyError {
  static override readonly code = 'missing_api_key';
  readonly code = 'missing_api_key';
  readonly status = 401;
  readonly title = 'API key required';
}

/** The value is not a key: wrong prefix, length, alphabet or checksum, or several headers. */
export class MalformedApiKeyError extends ApiKeyError {
  static override readonly code = 'malformed_api_key';
  readonly code = 'malformed_api_key';
  readonly status = 401;
  readonly title = 'Malformed API key';
}

/** Well formed, but no such key exists (never issued, or deleted). */
export class InvalidApiKeyError extends ApiKeyError {
  static override readonly code = 'invalid_api_key';
  readonly code = 'invalid_api_key';
  readonly status = 401;
  readonly title = 'Invalid API key';
}

/** The key is past its `expiresAt`. */
export class ExpiredApiKeyError extends ApiKeyError {
  static override readonly code = 'expired_api_key';
  readonly code = 'expired_api_key';
  readonly status = 401;
  readonly title = 'API key expired';
}

/** The key was revoked. */
export class RevokedApiKeyError extends ApiKeyError {
  static override readonly code = 'revoked_api_key';
  readonly code = 'revoked_api_key';
  readonly status = 401;
  readonly title = 'API key revoked';
}

/** The key belongs to an environment this server does not accept (a test key on live, say). */
export class WrongEnvironmentError extends ApiKeyError {
  static override readonly code = 'wrong_environment';
  readonly code = 'wrong_environment';
  readonly status = 401;
  readonly title = 'Wrong API key environment';
}

/** The key has no organisation, or its organisation is not active. */
export class MissingOrganisationError extends ApiKeyError {
  static override readonly code = 'missing_organisation';
  readonly code = 'missing_organisation';
  readonly status = 403;
  readonly title = 'No active organisation';
}

/** The route needs a scope that the key lacks. */
export class InsufficientScopeError extends ApiKeyError {
  static override readonly code = 'insufficient_scope';
  readonly code = 'insufficient_scope';
  readonly status = 403;
  readonly title = 'Insufficient scope';
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
  readonly code = 'rate_limited';
  readonly status = 429;
  readonly title = 'Too many requests';
}

/** The key has used all its usage credits; `retryAfterSeconds` says when a refill is due. */
export class UsageExceededError extends ApiKeyError {
  static override readonly code = 'usage_exceeded';
  readonly code = 'usage_exceeded';
  readonly status = 429;
  readonly title = 'Usage exceeded';
}

/** The key store failed or timed out: the request is refused, never let through (fail closed). */
export class KeyStoreUnavailableError extends ApiKeyError {
  static override readonly code = 'key_store_unavailable';
  readonly code = 'key_store_unavailable';
  readonly status = 503;
  readonly title = 'Key store unavailable';
}

/** True when `value` is a keygate refusal, from this or any other copy of the package. */
export function isApiKeyError(value: unknown): value is ApiKeyError {
  return (
    value instanceof Error &&
    typeof (value as Partial<ApiKeyError>).code === 'string' &&
    typeof (value as Partial<ApiKeyError>).status === 'number' &&
    typeof (value as Partial<ApiKeyError>).title === 'string'
  );
}

/**
 * Thrown by a {@link KeyStore} when an insert would reuse an id or a digest. Not a refusal: it
 * means the caller (or a store) broke an invariant, so it never maps to an HTTP answer.
 */
export class DuplicateApiKeyError extends Error {
  readonly code = 'duplicate_api_key';
  constructor(detail: string) {
    super(detail);
    this.name = 'DuplicateApiKeyError';
  }
}

/** Thrown by {@link KeyManager} operations on an id that no store record has. */
export class ApiKeyNotFoundError extends Error {
  readonly code = 'api_key_not_found';
  /** The id that was asked for (a record id, never a key). */
  readonly keyId: string;
  constructor(keyId: string) {
    super(`No API key with id ${JSON.stringify(keyId)}.`);
    this.name = 'ApiKeyNotFoundError';
    this.keyId = keyId;
  }
}

/** Thrown by {@link KeyManager} for an operation the key's state forbids (rotating a revoked key). */
export class ApiKeyStateError extends Error {
  readonly code = 'api_key_not_active';
  constructor(detail: string) {
    super(detail);
    this.name = 'ApiKeyStateError';
  }
}
