// The subset of ioredis that the store uses, so the package depends on no client at runtime.

/**
 * What the store needs of an ioredis `Redis` or `Cluster` instance: scripts, one hash read, and
 * the options it was built with (only read, to warn about risky settings). ioredis instances fit
 * it as they are.
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis';
 * const client: RedisCommandClient = new Cluster([{ host: '10.0.0.1', port: 6379 }]);
 * ```
 */
export interface RedisCommandClient {
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** `true` on an ioredis `Cluster`. */
  readonly isCluster?: boolean;
  /** The options ioredis resolved (`RedisOptions`, or `ClusterOptions` on a cluster). */
  readonly options?: RedisClientSettings;
}

/**
 * The ioredis options that the store reads (`client.options`).
 *
 * @example
 * ```ts
 * const settings: RedisClientSettings = { enableOfflineQueue: false, commandTimeout: 500 };
 * ```
 */
export interface RedisClientSettings {
  readonly enableOfflineQueue?: boolean | undefined;
  readonly maxRetriesPerRequest?: number | null | undefined;
  readonly commandTimeout?: number | undefined;
  readonly keyPrefix?: string | undefined;
  /** On a cluster: the options of each node's connection. */
  readonly redisOptions?:
    | {
        readonly maxRetriesPerRequest?: number | null | undefined;
        readonly commandTimeout?: number | undefined;
      }
    | undefined;
}

/**
 * A handler of the `message` event of a subscribed ioredis connection.
 *
 * @example
 * ```ts
 * const handler: RedisMessageHandler = (channel, message) => console.log(channel, message);
 * ```
 */
export type RedisMessageHandler = (channel: string, message: string) => void;

/**
 * What the store needs of the dedicated pub/sub connection (an ioredis `Redis` or `Cluster` that
 * runs nothing but subscriptions). Its `close` and `ready` events tell the store that the
 * connection dropped and came back (ioredis re-subscribes by itself; events published in
 * between are lost, which subscribers must learn).
 *
 * @example
 * ```ts
 * const subscriber: RedisSubscriberClient = client.duplicate();
 * ```
 */
export interface RedisSubscriberClient {
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', handler: RedisMessageHandler): unknown;
  on(event: 'close' | 'ready', handler: () => void): unknown;
  off(event: 'message', handler: RedisMessageHandler): unknown;
  off(event: 'close' | 'ready', handler: () => void): unknown;
}
