// The public surface of @keygate/redis: every export named here, types with `export type`.

export type {
  RedisClientSettings,
  RedisCommandClient,
  RedisMessageHandler,
  RedisSubscriberClient,
} from './client.js';
export { DEFAULT_NAMESPACE } from './key-layout.js';
export type { RedisKeyStoreOptions } from './options.js';
export { RedisAuditSink, type RedisAuditSinkOptions } from './redis-audit-sink.js';
export { RedisKeyStore } from './redis-key-store.js';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
