// Entry point of `@keygate/core/testing`: the conformance suite that every KeyStore must pass.
export { type ConformanceOptions, runKeyStoreConformance } from './testing/conformance.js';
export { makeTestRecord } from './testing/test-record.js';
