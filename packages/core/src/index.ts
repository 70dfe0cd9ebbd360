// The public surface of @keygate/core: every export named here, types with `export type`.

export {
  type AuditAction,
  type AuditContext,
  type AuditEvent,
  type AuditPage,
  type AuditQuery,
  type AuditSink,
  checkAuditQuery,
  isAuditAction,
} from './audit/audit-event.js';
export { auditPageOf, MemoryAuditSink } from './audit/memory-audit-sink.js';
export type { AuthContext, DefaultOrganisation, Organisation, Register } from './auth-context.js';
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
  type ApiKeyErrorStatus,
  ApiKeyNotFoundError,
  ApiKeyStateError,
  DisabledApiKeyError,
  DuplicateApiKeyError,
  ExpiredApiKeyError,
  InsufficientScopeError,
  InvalidApiKeyError,
  InvalidKeyInputError,
  type InvalidKeyInputProblem,
  isApiKeyError,
  KeygateError,
  KeyStoreUnavailableError,
  MalformedApiKeyError,
  MissingApiKeyError,
  MissingOrganisationError,
  RateLimitedError,
  RevokedApiKeyError,
  UsageExceededError,
  WrongEnvironmentError,
} from './errors.js';
export { type GenerateApiKeyOptions, type GeneratedApiKey, generateApiKey } from './generate.js';
export {
  createKeyFormat,
  DISPLAY_BODY_CHARACTERS,
  DISPLAY_PREFIX_LENGTH,
  defaultKeyFormat,
  type EnvironmentPrefix,
  KEY_BODY_LENGTH,
  type KeyFormat,
  type KeyFormatOptions,
  keyPattern,
  MAX_API_KEY_LENGTH,
} from './key-format.js';
export {
  type ApiKeyListPage,
  type CreateApiKeyInput,
  type CreatedApiKey,
  createKeyManager,
  type KeyManager,
  type KeyManagerOptions,
  type KeyUsageOptions,
  type OrganisationGuard,
  type RotateApiKeyOptions,
  type RotatedApiKey,
  type UpdateApiKeyInput,
} from './key-manager.js';
export type {
  ApiKeyPage,
  ApiKeyUpdateCondition,
  InvalidationEvent,
  KeyStore,
  LastUsedEntry,
  ListOptions,
  SubscriptionMonitor,
  Unsubscribe,
} from './key-store.js';
export { createKeygate, type Keygate, type KeygateOptions } from './keygate.js';
export {
  checkLogger,
  createConsoleLogger,
  errorFields,
  type KeygateLogger,
  type LogFields,
  type LogLevel,
  silentLogger,
} from './logger.js';
export { MemoryKeyStore } from './memory-key-store.js';
export {
  type ParsedApiKey,
  type ParseFailure,
  type ParseFailureReason,
  type ParseResult,
  parseApiKey,
} from './parse.js';
export { escapeUnprintable, UNPRINTABLE_CHARACTER } from './printable-text.js';
export {
  DEFAULT_PROBLEM_TYPE_BASE,
  type Problem,
  type ProblemDetails,
  type ProblemOptions,
  toProblem,
} from './problem.js';
export {
  type ApiKeyCredits,
  type CreditColumns,
  type CreditConsumption,
  type CreditRefill,
  checkCreditCost,
  checkCredits,
  creditColumnsOf,
  creditsFromColumns,
  MAX_CREDITS,
  MAX_REFILL_INTERVAL_MS,
  MIN_REFILL_INTERVAL_MS,
  takeCredits,
} from './quotas/credits.js';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './quotas/memory-rate-limiter.js';
export type { CreditsInput } from './quotas/quota-input.js';
export {
  CREDITS_REMAINING_HEADER,
  type QuotaReport,
  quotaHeaders,
  type RateLimitHeaderStyle,
} from './quotas/quota-report.js';
export {
  checkRateLimitPolicy,
  MAX_RATE_LIMIT,
  MAX_RATE_LIMIT_WINDOW_MS,
  MIN_RATE_LIMIT_WINDOW_MS,
  type RateLimitPolicy,
} from './quotas/rate-limit-policy.js';
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimitRequest,
  RateLimitState,
} from './quotas/rate-limiter.js';
export { DEFAULT_REFUSAL_BUDGET } from './quotas/refusal-budget.js';
export {
  fits as slidingWindowFits,
  remainingOf as slidingWindowRemaining,
  resetMsOf as slidingWindowResetMs,
  retryAfterMsOf as slidingWindowRetryAfterMs,
  slidingEstimate,
  windowIndexOf,
} from './quotas/sliding-window.js';
export {
  type ApiKeyRecord,
  type ApiKeyRecordChanges,
  type ApiKeyStatus,
  type ApiKeySummary,
  apiKeyStatus,
  toApiKeySummary,
} from './record.js';
export type { VerifyFailure } from './refusals.js';
export {
  grantsScope,
  hasScope,
  isRequirableScope,
  isScope,
  MAX_SCOPE_LENGTH,
  missingScopeError,
  SCOPE_SYNTAX,
} from './scopes.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './store/pagination.js';
export {
  isUsageDay,
  type KeyUsage,
  MAX_USAGE_DAYS,
  sumUsage,
  type UsageDay,
  type UsageEntry,
  usageDayOf,
  usageDaysUntil,
} from './usage/usage-entry.js';
export {
  createVerifier,
  type Verifier,
  type VerifyOptions,
  type VerifyResult,
  type VerifySuccess,
  verifierOf,
} from './verifier.js';
export type {
  ResolvedVerifierOptions,
  ResolveOrganisation,
  VerifierOperation,
  VerifierOptions,
} from './verifier-options.js';
export {
  STORE_CHANNEL,
  type StoreEventMessage,
  VERIFY_CHANNEL,
  type VerifyCacheState,
  type VerifyEventMessage,
} from './verify-events.js';
