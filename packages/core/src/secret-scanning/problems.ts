// The secret-scanning handler's refusals: RFC 9457 problem+json with a stable `code`, like every
// other keygate answer. None of them ever carries a token from the alert.
import { DEFAULT_PROBLEM_TYPE_BASE } from '../problem.js';

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
  key_store_unavailable: [503, 'Key store unavailable'],
};

/** A refused alert; turned into a problem+json response at the top of the handler. */
export class SecretScanningRequestError extends Error {
  readonly code: SecretScanningProblemCode;
  readonly status: number;
  readonly title: string;

  constructor(code: SecretScanningProblemCode, detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'SecretScanningRequestError';
    this.code = code;
    [this.status, this.title] = TITLES[code];
  }
}

/** The problem+json response for `error`. */
export function secretScanningProblem(
  error: SecretScanningRequestError,
  typeBase: string = DEFAULT_PROBLEM_TYPE_BASE,
): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
  };
  if (error.code === 'method_not_allowed') headers.allow = 'POST';
  if (error.status === 503) headers['retry-after'] = '30';
  return new Response(
    JSON.stringify({
      type: `${typeBase}${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
    }),
    { status: error.status, headers },
  );
}
