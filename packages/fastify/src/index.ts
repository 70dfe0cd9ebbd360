// The public surface of @keygate/fastify: every export named here, types with `export type`.

export type { ApiKeyAuthOptions } from '@keygate/core/adapter';
export { getApiKey } from './get-api-key.js';
export { apiKeyAuth } from './plugin.js';
export { type RequireScopesHook, requireScopes } from './require-scopes.js';
