// The secret-scanning handler's refusals: RFC 9457 problem+json with a stable `code`, built by
// core's one problem builder like every other keygate answer. None ever carries a token.
import { KeyStoreUnavailableError } from '../errors.js';
import { buildProblem, problemResponse } from '../problem.js';

/** Codes of the secret-scanning handler's problems. */
export type SecretScanningProblemCode =
  | 'invalid_signature'
  | 'invalid_request'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'public_keys_unavailable'
  | 'key_store_unavailable';

const TITLES: Readonly<Record<SecretScanningProblemCode, readonly [number, string]>> = {
  invalid_signature: [401, 'Invalid signature'],
  invalid_request: [400, 'Invalid request'],
  payload_too_large: [413, 'Request body too large'],
  method_not_allowed: [405, 'Method not allowed'],
  public_keys_unavailable: [503, 'Signing keys unavailable'],
  key_store_unavailable: [KeyStoreUnavailableError.status, KeyStoreUnavailableError.title],
};

// GitHub delivers an alert again after a failure; a 503 says when that is worth trying.
const RETRY_AFTER_SECONDS = '30';

/** A refused alert; turned into a problem+json response at the top of the handler. */
export class SecretScanningRequestError extends Error {
  readonly code: SecretScanningProblemCode;
  readonly status: number;
  readonly title: string;

  constructor(code: SecretScanningProblemCode, detail: string) {
    super(detail);
    this.name = 'SecretScanningRequestError';
    this.code = code;
    [this.status, this.title] = TITLES[code];
  }

  /** What went wrong, for the sender (RFC 9457 `detail`). */
  get detail(): string {
    return this.message;
  }
}

/** The problem+json response for `error`. */
export function secretScanningProblem(
  error: SecretScanningRequestError,
  typeBase: string | undefined,
): Response {
  const headers: Record<string, string> = {};
  if (error.code === 'method_not_allowed') headers.allow = 'POST';
  if (error.status === 503) headers['retry-after'] = RETRY_AFTER_SECONDS;
  return problemResponse(buildProblem(error, typeBase, headers));
}
