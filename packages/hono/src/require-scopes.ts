// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { createScopeGuard } from '@keygate/core/adapter';
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
  const guard = createScopeGuard(scopes, '@keygate/hono', 'apiKeyAuth()');
  return async function requireScopesMiddleware(c, next) {
    const decision = guard(c.get('apiKey') as ApiKeyEnv['Variables']['apiKey'] | undefined);
    if (decision instanceof Error) throw decision;
    if (decision !== undefined) return problemResponse(decision);
    await next();
  };
}
