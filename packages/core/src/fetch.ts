// Entry point of `@keygate/core/fetch`: authentication for Fetch-API servers (Hono, Bun, Deno,
// workers, hand-written gateways). Same verifier, same problem bodies as every other adapter.
import type { AuthContext } from './auth-context.js';
import type { ApiKeyError } from './errors.js';
import { problemResponse } from './problem.js';
import type { Verifier } from './verifier.js';

export { problemResponse };

/** Options of {@link createFetchAuthenticator}. */
export interface FetchAuthenticatorOptions {
  /** Scopes every request must have. */
  readonly requiredScopes?: readonly string[];
}

/** What {@link FetchAuthenticator} answers: the context, or a ready refusal `Response`. */
export type FetchAuthResult =
  | { readonly ok: true; readonly context: AuthContext }
  | { readonly ok: false; readonly error: ApiKeyError; readonly response: Response };

/** Authenticates one Fetch `Request`. */
export type FetchAuthenticator = (request: Request) => Promise<FetchAuthResult>;

/**
 * Builds an authenticator for Fetch-API requests.
 *
 * @example
 * ```ts
 * const authenticate = createFetchAuthenticator(keygate.verifier);
 * export default {
 *   async fetch(request: Request) {
 *     const auth = await authenticate(request);
 *     if (!auth.ok) return auth.response;
 *     return Response.json({ organisation: auth.context.organisationId });
 *   },
 * };
 * ```
 */
export function createFetchAuthenticator(
  verifier: Verifier,
  options: FetchAuthenticatorOptions = {},
): FetchAuthenticator {
  const verifyOptions = Object.freeze({
    ...(options.requiredScopes ? { requiredScopes: [...options.requiredScopes] } : {}),
  });
  const withAuthorization = Object.freeze({ ...verifyOptions, hasAuthorizationHeader: true });
  return async (request) => {
    const value = apiKeyHeaderValues(request.headers, verifier.headerName);
    const result = await verifier.verify(
      value,
      request.headers.has('authorization') ? withAuthorization : verifyOptions,
    );
    if (result.ok) return result;
    return {
      ok: false,
      error: result.error,
      response: problemResponse(verifier.problem(result.error)),
    };
  };
}

/**
 * The key header's value, or its values when a client sent it more than once. `Headers` joins
 * repeated headers with ", ", and no key contains a comma, so a comma means several headers.
 */
export function apiKeyHeaderValues(headers: Headers, headerName: string): string | string[] | null {
  const value = headers.get(headerName);
  if (value === null || !value.includes(',')) return value;
  return value.split(',').map((part) => part.trim());
}

/**
 * A copy of `headers` without the key header, for forwarding a request upstream: a proxied or
 * logged request then cannot leak the key.
 */
export function headersWithoutApiKey(headers: Headers, headerName: string): Headers {
  const copy = new Headers(headers);
  copy.delete(headerName);
  return copy;
}
