// Entry point of `@keygate/core/management`: the framework-free JSON endpoints behind an
// organisation admin's "API Keys" page (list, create once-shown keys, rename, revoke, delete,
// rotate), on the Fetch API.
export { formatDuration, parseDuration } from './management/duration.js';
export {
  type AuditEventsBody,
  createManagementHandler,
  type IssuedApiKeyBody,
  type ManagedApiKey,
  type ManagementHandler,
  type ManagementHandlerOptions,
  type ManagementScope,
  toManagedApiKey,
} from './management/handler.js';
export { MAX_BODY_BYTES, MAX_EXPIRY_MS } from './management/input.js';
export { parseIsoDate } from './management/iso-date.js';
export type { ManagementProblemCode } from './management/problems.js';
export { formatRatePerDuration, parseRatePerDuration } from './management/quota-text.js';
