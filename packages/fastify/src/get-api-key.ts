// getApiKey(): the typed way to read the context, failing loudly when the plugin did not run.
import type { AuthContext } from '@keygate/core';

/**
 * The calling key and organisation of `request`. Throws when the plugin did not run for this
 * request (a wiring mistake, so an error rather than a silent `null`).
 *
 * @example
 * ```ts
 * app.get('/api/sites', async (request) => sites.list(getApiKey(request).organisationId));
 * ```
 */
export function getApiKey(request: { apiKey?: AuthContext | null | undefined }): AuthContext {
  const context = request.apiKey;
  if (context === undefined || context === null) {
    throw new Error(
      '@keygate/fastify: no API key on this request; register the apiKeyAuth plugin first',
    );
  }
  return context;
}
