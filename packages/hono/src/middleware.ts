// apiKeyAuth(): the Hono middleware, on core's Fetch adapter and adapter kit. It reads the header, asks core, and
// either sets `c.var.apiKey` and calls next() or returns core's refusal; it decides nothing itself.
import type { AuthContext } from '@keygate/core';
import {
  type ApiKeyAuthOptions,
  type NodeRequestHeaders,
  resolveApiKeyAuthOptions,
  takeApiKeyHeader,
} from '@keygate/core/adapter';
import { apiKeyHeaderValues, problemResponse } from '@keygate/core/fetch';
import type { MiddlewareHandler } from 'hono';

/**
 * The Hono environment the middleware provides: `c.get('apiKey')` / `c.var.apiKey` typed as the
 * key's {@link AuthContext}. Pass it to `new Hono<ApiKeyEnv>()`, or merge it into your own.
 */
export interface ApiKeyEnv {
  Variables: {
    apiKey: AuthContext;
  };
}

/**
 * Builds the middleware that authenticates every request by its `x-api-key` header. On success
 * `c.get('apiKey')` holds the key and its organisation; on refusal the client gets core's
 * problem+json answer and no later handler runs. A rejected `resolveOrganisation` is thrown to
 * Hono (a 500 from `app.onError`), never a 401.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { createKeygate, MemoryKeyStore } from '@keygate/core';
 * import { apiKeyAuth, type ApiKeyEnv } from '@keygate/hono';
 *
 * const keygate = createKeygate({ store: new MemoryKeyStore() });
 * const app = new Hono<ApiKeyEnv>();
 * app.use('/api/*', apiKeyAuth({ keygate }));
 * app.get('/api/whoami', (c) => c.json({ organisationId: c.get('apiKey').organisationId }));
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler<ApiKeyEnv> {
  const { verifier, headerName, stripHeader, verifyOptions, verifyOptionsWithAuthorization } =
    resolveApiKeyAuthOptions(options, '@keygate/hono', clientAddress);
  return async function apiKeyAuthMiddleware(c, next) {
    const headers = c.req.raw.headers;
    const value = keyHeaderValue(c.env, headers, headerName, stripHeader);
    let result = verifier.verify(
      value,
      // Whether Authorization was sent matters only to the refusal of a missing key.
      (value === undefined || value === '') && headers.has('authorization')
        ? verifyOptionsWithAuthorization
        : verifyOptions,
      c,
    );
    if (result instanceof Promise) result = await result;
    if (!result.ok) return problemResponse(verifier.problem(result.error));
    if (stripHeader) removeHeader(headers, headerName);
    c.set('apiKey', result.context);
    // The RateLimit and credit fields of an accepted request, as every adapter writes them.
    const quotaHeaders = result.quota === undefined ? undefined : verifier.quotaHeaders(result);
    if (quotaHeaders !== undefined) {
      for (const name in quotaHeaders) c.header(name, quotaHeaders[name]!);
    }
    await next();
  };
}

// The client's address for the refusal budget: on @hono/node-server, the socket's; elsewhere
// there is none by default (pass `clientAddress`, e.g. from hono/conninfo).
function clientAddress(c: { env: unknown }): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return incoming?.socket?.remoteAddress;
}

// On @hono/node-server (`c.env.incoming` is Node's request) the raw headers tell one header
// holding "a, b" from two headers, as every Node adapter does, so that the answer is the same
// byte for byte; elsewhere Fetch's `Headers` has already joined them and a comma means several.
function keyHeaderValue(
  env: unknown,
  headers: Headers,
  headerName: string,
  strip: boolean,
): string | string[] | null | undefined {
  const incoming = (env as { incoming?: Partial<NodeRequestHeaders> } | undefined)?.incoming;
  if (
    incoming !== undefined &&
    typeof incoming.headers === 'object' &&
    incoming.headers !== null &&
    Array.isArray(incoming.rawHeaders)
  ) {
    return takeApiKeyHeader(incoming as NodeRequestHeaders, headerName, strip);
  }
  return apiKeyHeaderValues(headers, headerName);
}
// So that later logging or proxying cannot leak the key. Some runtimes hand over requests with
// immutable headers (workers): there the header stays, as nothing can remove it.
function removeHeader(headers: Headers, name: string): void {
  try {
    headers.delete(name);
  } catch {
    // Immutable headers.
  }
}
