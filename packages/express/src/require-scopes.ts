// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { createScopeGuard } from '@keygate/core/adapter';
import type { RequestHandler } from 'express';
import { sendProblem } from './send-problem.js';

/**
 * Builds a guard that lets a request through only when its key has every one of `scopes`;
 * otherwise it answers 403 `insufficient_scope`. Place it after `apiKeyAuth()`: without it, the
 * guard passes an error to `next` (a 500), never the request.
 *
 * @example
 * ```ts
 * app.use(apiKeyAuth({ keygate }));
 * app.post('/api/sites', requireScopes('sites:write'), createSite);
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  const guard = createScopeGuard(scopes, '@keygate/express', 'apiKeyAuth()');
  return function requireScopesMiddleware(req, res, next) {
    const decision = guard(req.apiKey);
    if (decision === undefined) next();
    else if (decision instanceof Error) next(decision);
    else sendProblem(res, decision);
  };
}
