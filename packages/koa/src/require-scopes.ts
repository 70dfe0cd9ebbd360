// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { missingScopeError, verifierOf } from '@keygate/core';
import { checkScopes } from '@keygate/core/adapter';
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
  const required = checkScopes(scopes, 'requireScopes', '@keygate/koa');
  return function requireScopesMiddleware(ctx, next) {
    const context = ctx.state.apiKey;
    const verifier = context === undefined ? undefined : verifierOf(context);
    if (context === undefined || verifier === undefined) {
      throw new Error('@keygate/koa: requireScopes() runs only after apiKeyAuth()');
    }
    const error = missingScopeError(context, required);
    if (error === undefined) return next();
    sendProblem(ctx, verifier.problem(error));
    return undefined;
  };
}
