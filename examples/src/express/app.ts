// The sites API on Express (4 or 5): keygate's middleware in front of the shared sites module.
import { apiKeyAuth, getApiKey } from '@keygate/express';
import express, { type Express, type Response } from 'express';
import { type SitesApiResponse, type SitesAppOptions, sitesApp } from '../sites/index.js';

/** Options of {@link buildExpressApp}. */
export interface ExpressSitesAppOptions extends SitesAppOptions {
  /** The `express` function to build with (default: the installed Express 5). */
  readonly express?: typeof express;
}

/**
 * Builds the Express app serving `/api/sites`; the caller listens.
 *
 * @example
 * ```ts
 * const app = buildExpressApp({ keygate, sites: new MemorySitesRepository() });
 * app.listen(3000);
 * ```
 */
export function buildExpressApp(options: ExpressSitesAppOptions): Express {
  const app = (options.express ?? express)();
  const { api, auth, onError, path, notFound, internalError } = sitesApp(options);
  app.disable('x-powered-by');
  app.use(apiKeyAuth(auth));
  app.all(path, (req, res, next) => {
    api({
      method: req.method,
      url: req.originalUrl,
      organisationId: getApiKey(req).organisationId,
      environment: getApiKey(req).environment,
      contentType: req.headers['content-type'],
      body: req,
    }).then((answer) => send(res, answer), next);
  });
  app.use((_req, res) => send(res, notFound));
  app.use((error: unknown, _req: unknown, res: Response, next: (error: unknown) => void) => {
    onError(error);
    if (res.headersSent) next(error);
    else send(res, internalError);
  });
  return app;
}

// Written with Node's own API, as the adapter does, so Express adds no ETag or charset.
function send(res: Response, answer: SitesApiResponse): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}
