// requireScopes(): a route guard that refuses keys lacking a scope, with core's 403 answer.
import { missingScopeError, verifierOf } from '@keygate/core';
import { checkScopes } from '@keygate/core/adapter';
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
  const required = checkScopes(scopes, 'requireScopes', '@keygate/express');
  return function requireScopesMiddleware(req, res, next) {
    const context = req.apiKey;
    const verifier = context === undefined ? undefined : verifierOf(context);
    if (context === undefined || verifier === undefined) {
      next(new Error('@keygate/express: requireScopes() runs only after apiKeyAuth()'));
      return;
    }
    const error = missingScopeError(context, required);
    if (error === undefined) next();
    else sendProblem(res, verifier.problem(error));
  };
}
