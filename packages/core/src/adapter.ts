// Entry point of `@keygate/core/adapter`: what every Node framework adapter shares (option
// checking, reading the key header, the scope guard), so that each adapter is only its framework's glue.
export {
  type ApiKeyAuthOptions,
  checkScopes,
  type ResolvedApiKeyAuthOptions,
  resolveApiKeyAuthOptions,
  verifyOptionsFor,
} from './adapter/adapter-options.js';
export { adoptHostLogger } from './adapter/host-logger.js';
export { type NodeRequestHeaders, takeApiKeyHeader } from './adapter/node-request-header.js';
export {
  createScopeGuard,
  type ScopeGuard,
  type ScopeGuardDecision,
} from './adapter/scope-guard.js';
