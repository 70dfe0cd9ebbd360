// Options of RedisKeyStore, checked and resolved once into a frozen object: misuse throws a
// TypeError here, at start-up, never later at request time.
import { checkLogger, createConsoleLogger, type KeygateLogger } from '@keygate/core';
import type { RedisClientSettings, RedisCommandClient, RedisSubscriberClient } from './client.js';
import { DEFAULT_NAMESPACE } from './key-layout.js';

const PACKAGE = '@keygate/redis';

/**
 * Options of {@link RedisKeyStore}.
 *
 * @example
 * ```ts
 * const options: RedisKeyStoreOptions = { client, subscriber: client.duplicate(), namespace: 'billing' };
 * ```
 */
export interface RedisKeyStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` instance, connected by the caller. The store never opens,
   * closes or reconfigures it. See the README for the options it should be built with.
   */
  readonly client: RedisCommandClient;
  /**
   * A second ioredis connection that does nothing but pub/sub (a subscribed connection cannot run
   * other commands). Without it the store has no `subscribe`, and verifiers on other instances
   * learn of revocations only when their cache entries expire.
   */
  readonly subscriber?: RedisSubscriberClient;
  /**
   * The namespace, used as the hash tag of every key (`{keygate}:key:<id>`): letters, digits and
   * `_ - . :`. Default `keygate`.
   */
  readonly namespace?: string;
  /** The pub/sub channel of invalidation events. Default `<namespace>:invalidation`. */
  readonly channel?: string;
  /**
   * Where the store's warnings go (pino's shape: `warn(fields, message)`): the one given at
   * construction when the client lacks the recommended options, pub/sub drops and listener
   * failures. Default: a quiet console logger.
   */
  readonly logger?: KeygateLogger;
  /** Receives each warning as text instead of `logger`. */
  readonly onWarning?: (message: string) => void;
}

/** The options after checking, with every default filled in. */
export interface ResolvedRedisKeyStoreOptions {
  readonly client: RedisCommandClient;
  readonly subscriber: RedisSubscriberClient | undefined;
  readonly namespace: string;
  readonly channel: string;
  readonly onWarning: (message: string) => void;
}

// The namespace sits inside `{…}`: a brace would end the hash tag early and split the keys
// across Cluster slots; whitespace and other symbols would only make keys hard to type.
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Checks `options` and returns a new, frozen object; the caller's object is left untouched. */
export function resolveRedisKeyStoreOptions(
  options: RedisKeyStoreOptions,
): ResolvedRedisKeyStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${PACKAGE}: options must be an object with a client`);
  }
  const { client, subscriber, namespace, channel, onWarning } = options;
  const logger = checkLogger(options.logger, PACKAGE) ?? createConsoleLogger();
  if (!isCommandClient(client)) {
    throw new TypeError(`${PACKAGE}: client must be an ioredis Redis or Cluster instance`);
  }
  if (subscriber !== undefined) {
    if (!isSubscriberClient(subscriber)) {
      throw new TypeError(`${PACKAGE}: subscriber must be an ioredis Redis or Cluster instance`);
    }
    if ((subscriber as unknown) === client) {
      throw new TypeError(
        `${PACKAGE}: subscriber must be a connection of its own (client.duplicate()), not the client`,
      );
    }
  }
  if (
    namespace !== undefined &&
    (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace))
  ) {
    throw new TypeError(
      `${PACKAGE}: namespace must be 1 to 100 letters, digits or _ - . : (it becomes a hash tag)`,
    );
  }
  if (channel !== undefined && (typeof channel !== 'string' || channel.length === 0)) {
    throw new TypeError(`${PACKAGE}: channel must be a non-empty string`);
  }
  if (onWarning !== undefined && typeof onWarning !== 'function') {
    throw new TypeError(`${PACKAGE}: onWarning must be a function`);
  }
  const resolvedNamespace = namespace ?? DEFAULT_NAMESPACE;
  return Object.freeze({
    client,
    subscriber,
    namespace: resolvedNamespace,
    channel: channel ?? `${resolvedNamespace}:invalidation`,
    onWarning: onWarning ?? ((message: string) => logger.warn({ package: PACKAGE }, message)),
  });
}

/**
 * What is missing from the recommended client options, as one warning (or `undefined`). Without
 * them a command waits for a lost Redis instead of failing, and only the verifier's timeout
 * stands between a Redis outage and requests that hang.
 */
export function clientWarning(client: RedisCommandClient): string | undefined {
  const settings: RedisClientSettings = client.options ?? {};
  // On a Cluster the offline queue is the cluster's; retries and timeouts belong to each node.
  const node = client.isCluster === true ? (settings.redisOptions ?? {}) : settings;
  const missing: string[] = [];
  if (settings.enableOfflineQueue !== false) missing.push('enableOfflineQueue: false');
  if (node.maxRetriesPerRequest === null) {
    missing.push('a bounded maxRetriesPerRequest (e.g. 1)');
  }
  if (typeof node.commandTimeout !== 'number' || !(node.commandTimeout > 0)) {
    missing.push('a commandTimeout (e.g. 500)');
  }
  if (missing.length === 0) return undefined;
  const target = client.isCluster === true ? 'Cluster' : 'Redis';
  return (
    `${PACKAGE}: the ioredis ${target} client lacks ${missing.join(', ')}. ` +
    'Without them a command can wait for a lost Redis instead of failing fast. ' +
    'See the @keygate/redis README for the recommended client options.'
  );
}

/**
 * The `keyPrefix` ioredis adds to every declared key the client sends (a Cluster applies its own
 * option, not its nodes').
 */
export function clientKeyPrefix(client: RedisCommandClient): string {
  return client.options?.keyPrefix ?? '';
}

function isCommandClient(value: unknown): value is RedisCommandClient {
  const candidate = value as Partial<Record<keyof RedisCommandClient, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.evalsha === 'function' &&
    typeof candidate.eval === 'function' &&
    typeof candidate.hgetall === 'function'
  );
}

function isSubscriberClient(value: unknown): value is RedisSubscriberClient {
  const candidate = value as Partial<Record<keyof RedisSubscriberClient, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.subscribe === 'function' &&
    typeof candidate.unsubscribe === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function'
  );
}
