// getApiKey(): the key's context from a Hono context, or a clear error when the middleware is
// missing (a bug of the app, not a refusal).
import type { AuthContext } from '@keygate/core';
import type { Context } from 'hono';

/**
 * The context `apiKeyAuth()` set. Throws when it did not run for this request.
 *
 * @example
 * ```ts
 * app.get('/api/whoami', (c) => c.json({ organisationId: getApiKey(c).organisationId }));
 * ```
 */
export function getApiKey(c: Context): AuthContext {
  const context = c.get('apiKey') as AuthContext | undefined;
  if (context === undefined) {
    throw new Error('@keygate/hono: no API key on this request; is apiKeyAuth() in front of it?');
  }
  return context;
}
