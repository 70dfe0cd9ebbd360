// Entry point of `@keygate/core/secret-scanning`: the endpoint that GitHub's secret-scanning
// partner programme reports leaked keys to, and the leak responder behind it.
export { derToP1363 } from './secret-scanning/der-signature.js';
export {
  createSecretScanningHandler,
  DEFAULT_MAX_ALERT_BYTES,
  DEFAULT_MAX_ALERT_TOKENS,
  type SecretScanningFeedback,
  type SecretScanningHandler,
  type SecretScanningHandlerOptions,
} from './secret-scanning/handler.js';
export {
  createLeakResponder,
  type LeakAction,
  type LeakAuditEvent,
  type LeakAuditSink,
  type LeakOutcome,
  type LeakReport,
  type LeakResponder,
  type LeakResponderOptions,
} from './secret-scanning/leak-responder.js';
export type { SecretScanningProblemCode } from './secret-scanning/problems.js';
export {
  type FetchPublicKeysOptions,
  fetchPublicKeys,
  GITHUB_SECRET_SCANNING_KEYS_URL,
  type PublicKeyProvider,
  parseSecretScanningKeyList,
  type SecretScanningKeyList,
  type SecretScanningPublicKey,
} from './secret-scanning/public-keys.js';
export {
  importEcdsaP256PublicKey,
  verifyEcdsaP256Signature,
} from './secret-scanning/signature.js';
