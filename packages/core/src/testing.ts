// Entry point of `@keygate/core/testing`: the conformance suite that every KeyStore must pass,
// and a signer for testing a secret-scanning endpoint without GitHub.
export { createTestAlertSigner, p1363ToDer, type TestAlertSigner } from './testing/alert-signer.js';
export {
  type AuditUsageConformanceOptions,
  runAuditUsageConformance,
} from './testing/audit-usage-conformance.js';
export { type ConformanceOptions, runKeyStoreConformance } from './testing/conformance.js';
export { makeTestRecord } from './testing/test-record.js';
