// Entry point of `@keygate/core/fetch`: authentication for Fetch-API servers (Hono, Bun, Deno,
// workers, hand-written gateways). Same verifier, same problem bodies as every other adapter.
import type { AuthContext } from './auth-context.js';
import type { ApiKeyError } from './errors.js';
import { problemResponse } from './problem.js';
import { checkCreditCost } from './quotas/credits.js';
import type { Verifier } from './verifier.js';

export { problemResponse };

/** Options of {@link createFetchAuthenticator}. */
export interface FetchAuthenticatorOptions {
  /** Scopes every request must have. */
  readonly requiredScopes?: readonly string[];
  /** Usage credits each request costs a key that has credits (default 1; 0: free). */
  readonly cost?: number;
  /**
   * The client's address, for the refusal budget (too many unknown keys from one address: 429
   * without a store read). A Fetch `Request` carries no address, so there is no default: pass
   * your runtime's (e.g. Hono's `getConnInfo`, Bun's `server.requestIP`, a trusted proxy header).
   */
  readonly clientAddress?: (request: Request) => string | undefined;
}

/** What {@link FetchAuthenticator} answers: the context, or a ready refusal `Response`. */
export type FetchAuthResult =
  | {
      readonly ok: true;
      readonly context: AuthContext;
      /** Rate-limit and credit header fields to add to your response (`undefined`: none). */
      readonly headers: Readonly<Record<string, string>> | undefined;
    }
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
    ...(options.cost === undefined
      ? {}
      : { cost: checkCreditCost(options.cost, 'cost', '@keygate/core/fetch') }),
    ...(options.clientAddress === undefined
      ? {}
      : { clientAddress: options.clientAddress as (request: unknown) => string | undefined }),
  });
  const withAuthorization = Object.freeze({ ...verifyOptions, hasAuthorizationHeader: true });
  return async (request) => {
    const value = apiKeyHeaderValues(request.headers, verifier.headerName);
    const result = await verifier.verify(
      value,
      request.headers.has('authorization') ? withAuthorization : verifyOptions,
      request,
    );
    if (result.ok) {
      return { ok: true, context: result.context, headers: verifier.quotaHeaders(result) };
    }
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
