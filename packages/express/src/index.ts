// The public surface of @keygate/express: every export named here, types with `export type`.

export type { ApiKeyAuthOptions } from '@keygate/core/adapter';
export { getApiKey } from './get-api-key.js';
export { apiKeyAuth } from './middleware.js';
export { requireScopes } from './require-scopes.js';
