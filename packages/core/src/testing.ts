// Entry point of `@keygate/core/testing`: the conformance suite that every KeyStore must pass.
export {
  type ConformanceOptions,
  makeTestRecord,
  runKeyStoreConformance,
} from './testing/conformance.js';
