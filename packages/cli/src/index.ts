// The programmatic side of @keygate/cli: open the store a URL names (as the `keygate` command
// does), read the pepper from the environment, or run the CLI in-process.

export { type CliIo, runCli, USAGE, VERSION } from './cli.js';
export { CommandFailure, UsageError } from './cli-errors.js';
export {
  DEFAULT_STORE_URL,
  type OpenedKeyStore,
  type OpenKeyStoreOptions,
  openKeyStore,
  type ParsedStoreUrl,
  parseStoreUrl,
  type SharedRateLimiterOptions,
  type StoreKind,
} from './open-key-store.js';
export { type ApiKeyJson, toApiKeyJson } from './output.js';
export { peppersFromEnvironment } from './peppers.js';
export {
  DEFAULT_RATE_LIMIT_SETTINGS,
  parseRateLimitSettings,
  type RateLimiterKind,
  type RateLimitSettings,
  type RateLimitSettingsText,
  rateLimitOptions,
  rateLimitSettingsFromEnvironment,
} from './rate-limit-settings.js';
export { type FoundKey, KeyFinder } from './scan/key-finder.js';
export {
  type Finding,
  type ScanSummary,
  SKIPPED_DIRECTORIES,
  scanPaths,
  scanText,
} from './scan/scan-paths.js';
export {
  createForwardAuthHandler,
  type ForwardAuthHandlerOptions,
} from './serve/forward-auth-handler.js';
export {
  DEFAULT_SERVE_HOST,
  DEFAULT_SERVE_PORT,
  type ForwardAuthServer,
  type ForwardAuthServerOptions,
  startForwardAuthServer,
} from './serve/forward-auth-server.js';
export { canonicalPath, isUnder as isUnderPathPrefix } from './serve/original-request.js';
export {
  type ContextHeaderNames,
  DEFAULT_CONTEXT_HEADERS,
  DEFAULT_SERVE_CONFIG,
  loadServeConfig,
  parseServeConfig,
  type ServeConfig,
  type ServeRoute,
} from './serve/serve-config.js';
export { type HealthReport, type StoreHealth, storeHealth } from './serve/store-health.js';
