// getApiKey() and the typing of `req.apiKey`: the typed way to read the context, failing loudly
// when the middleware did not run.
import type { AuthContext } from '@keygate/core';

declare global {
  namespace Express {
    interface Request {
      /** The calling key and organisation, set by `apiKeyAuth()`; `undefined` before it ran. */
      apiKey?: AuthContext;
    }
  }
}

/**
 * The calling key and organisation of `req`. Throws when `apiKeyAuth()` did not run for this
 * request (a wiring mistake, so an error rather than a silent `undefined`).
 *
 * @example
 * ```ts
 * app.get('/api/sites', (req, res) => {
 *   const { organisationId } = getApiKey(req);
 *   res.json(sites.list(organisationId));
 * });
 * ```
 */
export function getApiKey(req: { apiKey?: AuthContext | undefined }): AuthContext {
  const context = req.apiKey;
  if (context === undefined || context === null) {
    throw new Error(
      '@keygate/express: no API key on this request; add apiKeyAuth() before this route',
    );
  }
  return context;
}
