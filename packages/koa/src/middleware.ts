// apiKeyAuth(): the Koa 2 and 3 middleware. It reads the header, asks core, and either attaches
// the context and calls next() or writes core's refusal; it decides nothing itself.
import type { VerifyResult } from '@keygate/core';
import {
  type ApiKeyAuthOptions,
  resolveApiKeyAuthOptions,
  takeApiKeyHeader,
  verifyOptionsFor,
} from '@keygate/core/adapter';
import type { Context, Middleware, Next } from 'koa';
import { sendProblem, setHeaders } from './send-problem.js';
import type { ApiKeyState } from './state.js';

// Koa's client IP follows the app's `proxy` setting; read only on a cache miss.
const clientIp = (ctx: Context): string | undefined => ctx.ip;

/**
 * Builds the middleware that authenticates every request by its `x-api-key` header. On success
 * `ctx.state.apiKey` holds the key and its organisation; on refusal the client gets core's
 * problem+json answer and `next` is not called. A throwing or stalled `resolveOrganisation` is
 * answered like a store failure (503 `key_store_unavailable`).
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { createKeygate, MemoryKeyStore } from '@keygate/core';
 * import { apiKeyAuth, getApiKey } from '@keygate/koa';
 *
 * const keygate = createKeygate({ store: new MemoryKeyStore() });
 * const app = new Koa();
 * app.use(apiKeyAuth({ keygate }));
 * app.use((ctx) => {
 *   ctx.body = { organisationId: getApiKey(ctx).organisationId };
 * });
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): Middleware<ApiKeyState> {
  const resolved = resolveApiKeyAuthOptions(options, '@keygate/koa', clientIp);
  const { verifier, headerName, stripHeader } = resolved;

  const settle = (result: VerifyResult, ctx: Context, next: Next): unknown => {
    if (result.ok) {
      if (result.quota !== undefined) setHeaders(ctx, verifier.quotaHeaders(result));
      ctx.state.apiKey = result.context;
      return next();
    }
    sendProblem(ctx, verifier.problem(result.error));
    return undefined;
  };

  return function apiKeyAuthMiddleware(ctx, next) {
    const request = ctx.req;
    const value = takeApiKeyHeader(request, headerName, stripHeader);
    const result = verifier.verify(value, verifyOptionsFor(resolved, value, request.headers), ctx);
    // A cache hit answers synchronously: keep it synchronous, with no extra microtask.
    if (result instanceof Promise) return result.then((settled) => settle(settled, ctx, next));
    return settle(result, ctx, next);
  };
}
