// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { createScopeGuard } from '@keygate/core/adapter';
import type { Middleware } from 'koa';
import { sendProblem } from './send-problem.js';
import type { ApiKeyState } from './state.js';

/**
 * Builds a guard that calls `next` only when the key has every one of `scopes`; otherwise it
 * answers 403 `insufficient_scope`. Place it after `apiKeyAuth()`: without it, the guard throws
 * (a 500), never lets the request through.
 *
 * @example
 * ```ts
 * app.use(apiKeyAuth({ keygate }));
 * router.post('/api/sites', requireScopes('sites:write'), createSite);
 * ```
 */
export function requireScopes(...scopes: string[]): Middleware<ApiKeyState> {
  const guard = createScopeGuard(scopes, '@keygate/koa', 'apiKeyAuth()');
  return function requireScopesMiddleware(ctx, next) {
    const decision = guard(ctx.state.apiKey);
    if (decision === undefined) return next();
    if (decision instanceof Error) throw decision;
    sendProblem(ctx, decision);
    return undefined;
  };
}
