// The sites API on Koa (2 or 3): keygate's middleware in front of the shared sites module.
import { apiKeyAuth, getApiKey } from '@keygate/koa';
import Koa, { type Context } from 'koa';
import { type SitesApiResponse, type SitesAppOptions, sitesApp } from '../sites/index.js';

/** Options of {@link buildKoaApp}. */
export interface KoaSitesAppOptions extends SitesAppOptions {
  /** The Koa class to build with (default: the installed Koa 3). */
  readonly Koa?: typeof Koa;
}

/**
 * Builds the Koa app serving `/api/sites`; the caller listens.
 *
 * @example
 * ```ts
 * const app = buildKoaApp({ keygate, sites: new MemorySitesRepository() });
 * app.listen(3000);
 * ```
 */
export function buildKoaApp(options: KoaSitesAppOptions): Koa {
  const app = new (options.Koa ?? Koa)();
  const { api, auth, onError, path, notFound, internalError } = sitesApp(options);
  // First, so that any unexpected error is a 500.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      onError(error);
      send(ctx, internalError);
    }
  });
  app.use(apiKeyAuth(auth));
  app.use(async (ctx) => {
    if (ctx.path !== path) {
      send(ctx, notFound);
      return;
    }
    send(
      ctx,
      await api({
        method: ctx.method,
        url: ctx.originalUrl,
        organisationId: getApiKey(ctx).organisationId,
        environment: getApiKey(ctx).environment,
        contentType: ctx.req.headers['content-type'],
        body: ctx.req,
      }),
    );
  });
  return app;
}

function send(ctx: Context, answer: SitesApiResponse): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = answer.body;
}
