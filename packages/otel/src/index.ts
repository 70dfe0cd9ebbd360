// The public surface of @keygate/otel: every export named here, types with `export type`.
export {
  instrumentKeygate,
  type KeygateInstrumentation,
  type KeygateInstrumentationOptions,
} from './instrument-keygate.js';
