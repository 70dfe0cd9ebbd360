// The management handler's answers for requests it cannot carry out: RFC 9457 problem+json with
// a stable `code`, the same body shape as a refusal from the verifier.
import { ApiKeyNotFoundError, ApiKeyStateError, KeyStoreUnavailableError } from '../errors.js';
import { buildProblem, problemResponse } from '../problem.js';

/** Codes of the management handler's problems. */
export type ManagementProblemCode =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | typeof ApiKeyNotFoundError.code
  | typeof ApiKeyStateError.code
  | typeof KeyStoreUnavailableError.code;

// The key manager's errors keep the status and title their classes declare (errors.ts).
const TITLES: Readonly<Record<ManagementProblemCode, readonly [number, string]>> = {
  invalid_request: [400, 'Invalid request'],
  unsupported_media_type: [415, 'Unsupported media type'],
  payload_too_large: [413, 'Request body too large'],
  not_found: [404, 'Not found'],
  method_not_allowed: [405, 'Method not allowed'],
  api_key_not_found: [ApiKeyNotFoundError.status, ApiKeyNotFoundError.title],
  api_key_not_active: [ApiKeyStateError.status, ApiKeyStateError.title],
  key_store_unavailable: [KeyStoreUnavailableError.status, KeyStoreUnavailableError.title],
};

/** A request the handler refuses; turned into a problem+json response at the top. */
export class ManagementRequestError extends Error {
  readonly code: ManagementProblemCode;
  readonly status: number;
  readonly title: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ManagementProblemCode,
    detail: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ManagementRequestError';
    const [status, title] = TITLES[code];
    this.code = code;
    this.status = status;
    this.title = title;
    this.headers = headers;
  }

  /** What went wrong, for the client (RFC 9457 `detail`). */
  get detail(): string {
    return this.message;
  }
}

/** The problem+json response for `error`. */
export function problemResponseFor(
  error: ManagementRequestError,
  typeBase: string | undefined,
): Response {
  return problemResponse(buildProblem(error, typeBase, error.headers));
}
