// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { missingScopeError, verifierOf } from '@keygate/core';
import { checkScopes } from '@keygate/core/adapter';
import { problemResponse } from '@keygate/core/fetch';
import type { MiddlewareHandler } from 'hono';
import type { ApiKeyEnv } from './middleware.js';

/**
 * Builds a guard that lets a request through only when its key has every one of `scopes`;
 * otherwise it answers 403 `insufficient_scope`. Place it after `apiKeyAuth()`: without it, the
 * guard throws (a 500 from `app.onError`), never lets the request through.
 *
 * @example
 * ```ts
 * app.use('/api/*', apiKeyAuth({ keygate }));
 * app.post('/api/sites', requireScopes('sites:write'), (c) => c.json({ ok: true }, 201));
 * ```
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler<ApiKeyEnv> {
  const required = checkScopes(scopes, 'requireScopes', '@keygate/hono');
  return async function requireScopesMiddleware(c, next) {
    const context = c.get('apiKey') as ApiKeyEnv['Variables']['apiKey'] | undefined;
    const verifier = context === undefined ? undefined : verifierOf(context);
    if (context === undefined || verifier === undefined) {
      throw new Error('@keygate/hono: requireScopes() runs only after apiKeyAuth()');
    }
    const error = missingScopeError(context, required);
    if (error !== undefined) return problemResponse(verifier.problem(error));
    await next();
  };
}
