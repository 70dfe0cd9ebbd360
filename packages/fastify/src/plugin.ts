// apiKeyAuth: the Fastify 5 plugin. In `onRequest` (before any body is parsed) it reads the
// header, asks core, and either attaches the context or writes core's refusal.
import type { AuthContext, VerifyResult } from '@keygate/core';
import {
  type ApiKeyAuthOptions,
  adoptHostLogger,
  type ResolvedApiKeyAuthOptions,
  resolveApiKeyAuthOptions,
  takeApiKeyHeader,
  verifyOptionsFor,
} from '@keygate/core/adapter';
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import fp from 'fastify-plugin';
import { sendProblem, setHeaders } from './send-problem.js';

// Fastify's client IP follows its `trustProxy` setting; read only on a cache miss.
const clientIp = (request: FastifyRequest): string | undefined => request.ip;

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling key and organisation, set by the `@keygate/fastify` plugin; `null` before. */
    apiKey: AuthContext | null;
  }
}

const plugin: FastifyPluginCallback<ApiKeyAuthOptions> = (fastify, options, done) => {
  let resolved: ResolvedApiKeyAuthOptions;
  try {
    resolved = resolveApiKeyAuthOptions(options, '@keygate/fastify', clientIp);
  } catch (error) {
    // Thrown synchronously from a callback plugin, it would escape Fastify and crash the process.
    done(error as Error);
    return;
  }
  const { verifier, headerName, stripHeader } = resolved;
  // keygate's warnings go to the application's log unless the verifier was given a logger.
  adoptHostLogger(verifier, fastify.log);

  const settle = (
    result: VerifyResult,
    request: FastifyRequest,
    reply: FastifyReply,
    next: HookHandlerDoneFunction,
  ) => {
    if (result.ok) {
      if (result.quota !== undefined) setHeaders(reply, verifier.quotaHeaders(result));
      request.apiKey = result.context;
      next();
    } else {
      // Answering from a callback hook means not calling `next`: the chain stops here.
      sendProblem(reply, verifier.problem(result.error));
    }
  };

  fastify.decorateRequest('apiKey', null);
  fastify.addHook('onRequest', function apiKeyAuthHook(request, reply, next) {
    const raw = request.raw;
    const value = takeApiKeyHeader(raw, headerName, stripHeader);
    const result = verifier.verify(value, verifyOptionsFor(resolved, value, raw.headers), request);
    // A cache hit answers synchronously: keep it synchronous, with no extra microtask.
    if (result instanceof Promise) {
      result.then((settled) => settle(settled, request, reply, next)).catch(next);
    } else {
      settle(result, request, reply, next);
    }
  });
  done();
};

/**
 * The Fastify plugin that authenticates every request by its `x-api-key` header, in `onRequest`.
 * On success `request.apiKey` holds the key and its organisation; on refusal the client gets
 * core's problem+json answer and no later hook or handler runs. It is wrapped with
 * `fastify-plugin`, so it covers the routes of the instance it is registered on. A throwing or
 * stalled `resolveOrganisation` is answered like a store failure (503 `key_store_unavailable`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createKeygate, MemoryKeyStore } from '@keygate/core';
 * import { apiKeyAuth, getApiKey } from '@keygate/fastify';
 *
 * const keygate = createKeygate({ store: new MemoryKeyStore() });
 * const app = Fastify();
 * await app.register(apiKeyAuth, { keygate });
 * app.get('/api/whoami', async (request) => ({
 *   organisationId: getApiKey(request).organisationId,
 * }));
 * ```
 */
export const apiKeyAuth = fp(plugin, { fastify: '5.x', name: '@keygate/fastify' });
