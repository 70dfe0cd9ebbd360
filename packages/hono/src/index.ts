// The public surface of @keygate/hono.
export type { ApiKeyAuthOptions } from '@keygate/core/adapter';
export { getApiKey } from './get-api-key.js';
export { type ApiKeyEnv, apiKeyAuth } from './middleware.js';
export { requireScopes } from './require-scopes.js';
