// getApiKey(): the typed way to read the context, failing loudly when the middleware did not run.
import type { AuthContext } from '@keygate/core';

/**
 * The calling key and organisation of `ctx`. Throws when `apiKeyAuth()` did not run for this
 * request (a wiring mistake, so an error rather than a silent `undefined`).
 *
 * @example
 * ```ts
 * app.use((ctx) => {
 *   const { organisationId } = getApiKey(ctx);
 *   ctx.body = sites.list(organisationId);
 * });
 * ```
 */
export function getApiKey(ctx: { state: { apiKey?: AuthContext | undefined } }): AuthContext {
  const context = ctx.state.apiKey;
  if (context === undefined || context === null) {
    throw new Error('@keygate/koa: no API key on this request; add apiKeyAuth() before this route');
  }
  return context;
}
