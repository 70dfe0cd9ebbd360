// requireScopes(): a route hook that refuses keys lacking a scope, with core's 403 answer.
import { missingScopeError, verifierOf } from '@keygate/core';
import { checkScopes } from '@keygate/core/adapter';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { sendProblem } from './send-problem.js';

/** A callback-style hook, usable as a route's `onRequest` or `preHandler`. */
export type RequireScopesHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/**
 * Builds a route hook that lets a request through only when its key has every one of `scopes`;
 * otherwise it answers 403 `insufficient_scope`. Route hooks run after the plugin's, so it sees
 * `request.apiKey`; without the plugin it fails the request with a 500, never lets it through.
 *
 * @example
 * ```ts
 * app.post('/api/sites', { onRequest: requireScopes('sites:write') }, createSite);
 * ```
 */
export function requireScopes(...scopes: string[]): RequireScopesHook {
  const required = checkScopes(scopes, 'requireScopes', '@keygate/fastify');
  return function requireScopesHook(request, reply, done) {
    const context = request.apiKey;
    const verifier = context === null || context === undefined ? undefined : verifierOf(context);
    if (context === null || context === undefined || verifier === undefined) {
      done(new Error('@keygate/fastify: requireScopes() runs only after the apiKeyAuth plugin'));
      return;
    }
    const error = missingScopeError(context, required);
    if (error === undefined) done();
    else sendProblem(reply, verifier.problem(error));
  };
}
