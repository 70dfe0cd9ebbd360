// The sites API on Hono: keygate's middleware in front of the shared sites module, served on
// Node by @hono/node-server (see start-hono.ts).
import { Readable } from 'node:stream';
import { type ApiKeyEnv, apiKeyAuth, getApiKey } from '@keygate/hono';
import { Hono } from 'hono';
import { type SitesApiResponse, type SitesAppOptions, sitesApp } from '../sites/index.js';

/**
 * Builds the Hono app serving `/api/sites`; the caller serves `app.fetch`.
 *
 * @example
 * ```ts
 * const app = buildHonoApp({ keygate, sites: new MemorySitesRepository() });
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function buildHonoApp(options: SitesAppOptions): Hono<ApiKeyEnv> {
  const app = new Hono<ApiKeyEnv>();
  const { api, auth, onError, path, notFound, internalError } = sitesApp(options);
  // A throwing resolveOrganisation is a 500 like any other unexpected error.
  app.onError((error) => {
    onError(error);
    return toResponse(internalError);
  });
  app.notFound(() => toResponse(notFound));
  app.use(apiKeyAuth(auth));
  app.all(path, async (c) => {
    const url = new URL(c.req.url);
    const body = c.req.raw.body;
    return toResponse(
      await api({
        method: c.req.method,
        url: `${url.pathname}${url.search}`,
        organisationId: getApiKey(c).organisationId,
        environment: getApiKey(c).environment,
        contentType: c.req.header('content-type'),
        body:
          body === null
            ? Readable.from([])
            : Readable.fromWeb(body as import('node:stream/web').ReadableStream),
      }),
    );
  });
  return app;
}

function toResponse(answer: SitesApiResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: { ...answer.headers } });
}
