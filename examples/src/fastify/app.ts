// The sites API on Fastify 5: keygate's plugin in front of the shared sites module.
import { apiKeyAuth, getApiKey } from '@keygate/fastify';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { problem, type SitesApiResponse, type SitesAppOptions, sitesApp } from '../sites/index.js';

/** Options of {@link buildFastifyApp}. */
export type FastifySitesAppOptions = SitesAppOptions;

/**
 * Builds the Fastify app serving `/api/sites`; the caller listens (or calls `ready()`).
 *
 * @example
 * ```ts
 * const app = buildFastifyApp({ keygate, sites: new MemorySitesRepository() });
 * await app.listen({ port: 3000 });
 * ```
 */
export function buildFastifyApp(options: FastifySitesAppOptions): FastifyInstance {
  const app = Fastify();
  const { api, auth, onError, path, notFound, internalError } = sitesApp(options);
  // The sites module reads and checks bodies itself, the same way on every framework.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.setNotFoundHandler((_request, reply) => send(reply, notFound));
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return send(
        reply,
        problem(status, 'bad_request', 'Bad request', 'The request is malformed.'),
      );
    }
    onError(error);
    return send(reply, internalError);
  });
  app.register(apiKeyAuth, auth);
  app.all(path, async (request, reply) => {
    const answer = await api({
      method: request.method,
      url: request.url,
      organisationId: getApiKey(request).organisationId,
      environment: getApiKey(request).environment,
      contentType: request.headers['content-type'],
      body: request.raw,
    });
    return send(reply, answer);
  });
  return app;
}

// A Buffer, so Fastify sends the content type exactly as given (no charset appended).
function send(reply: FastifyReply, answer: SitesApiResponse): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(Buffer.from(answer.body));
}
