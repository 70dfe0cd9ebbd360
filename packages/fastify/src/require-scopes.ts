// requireScopes(): a route hook that refuses keys lacking a scope, with core's 403 answer.
import { createScopeGuard } from '@keygate/core/adapter';
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
  const guard = createScopeGuard(scopes, '@keygate/fastify', 'the apiKeyAuth plugin');
  return function requireScopesHook(request, reply, done) {
    const decision = guard(request.apiKey);
    if (decision === undefined) done();
    else if (decision instanceof Error) done(decision);
    else sendProblem(reply, decision);
  };
}
