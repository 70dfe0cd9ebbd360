// The public surface of @keygate/core: every export named here, types with `export type`.

export {
  createKeyDigester,
  type DigestVersion,
  type KeyDigester,
  type KeyDigesterOptions,
  type Pepper,
  SHA256_VERSION,
} from './digest.js';
export {
  ApiKeyError,
  type ApiKeyErrorCode,
  ApiKeyNotFoundError,
  DuplicateApiKeyError,
  ExpiredApiKeyError,
  InsufficientScopeError,
  InvalidApiKeyError,
  isApiKeyError,
  KeyStoreUnavailableError,
  MalformedApiKeyError,
  MissingApiKeyError,
  MissingOrganisationError,
  RateLimitedError,
  RevokedApiKeyError,
  WrongEnvironmentError,
} from './errors.js';
export { type GenerateApiKeyOptions, type GeneratedApiKey, generateApiKey } from './generate.js';
export {
  createKeyFormat,
  DISPLAY_PREFIX_LENGTH,
  defaultKeyFormat,
  type EnvironmentPrefix,
  KEY_BODY_LENGTH,
  KEY_RANDOM_BYTES,
  type KeyFormat,
  type KeyFormatOptions,
  keyPattern,
  MAX_API_KEY_LENGTH,
} from './key-format.js';
export type {
  ApiKeyPage,
  InvalidationEvent,
  KeyStore,
  LastUsedEntry,
  ListOptions,
  Unsubscribe,
} from './key-store.js';
export {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  isAfterCursor,
  MAX_PAGE_SIZE,
  type PageCursor,
  pageSize,
} from './list-options.js';
export { MemoryKeyStore } from './memory-key-store.js';
export {
  type ParsedApiKey,
  type ParseFailure,
  type ParseFailureReason,
  type ParseResult,
  parseApiKey,
} from './parse.js';
export {
  type ApiKeyRecord,
  type ApiKeyRecordChanges,
  type ApiKeyStatus,
  type ApiKeySummary,
  apiKeyStatus,
  toApiKeySummary,
} from './record.js';
