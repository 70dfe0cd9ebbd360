// Starts and stops `keygate serve`: opens the store as the CLI does (with its invalidation
// channel), builds a verifier with the reference server's fault behaviour (fail closed with 503,
// store deadline, cache emptied after a lost subscription), listens, and shuts down gracefully.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeygate, type Keygate, type Pepper } from '@keygate/core';
import { type OpenedKeyStore, openKeyStore } from '../open-key-store.js';
import { DEFAULT_RATE_LIMIT_SETTINGS, rateLimitOptions } from '../rate-limit-settings.js';
import { createForwardAuthHandler } from './forward-auth-handler.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
import { storeHealth } from './store-health.js';

/** Default `--port`. */
export const DEFAULT_SERVE_PORT = 8181;
/** Default `--host`. */
export const DEFAULT_SERVE_HOST = '127.0.0.1';

/** Options of {@link startForwardAuthServer}. */
export interface ForwardAuthServerOptions {
  /** The store URL (`sqlite:…`, `postgres://…`, `mysql://…`, `redis://…`). */
  readonly storeUrl: string;
  readonly port?: number;
  readonly host?: string;
  readonly config?: ServeConfig;
  readonly peppers?: readonly Pepper[];
  readonly table?: string;
  readonly namespace?: string;
  /** Where a relative SQLite path starts. */
  readonly cwd?: string;
  /** How long in-flight checks may take to finish on close (default 10,000 ms). */
  readonly shutdownTimeoutMs?: number;
  /** Told about store failures off the request path (default: one line on stderr, throttled by core). */
  readonly onError?: (error: unknown) => void;
}

/** A running forward-auth server. */
export interface ForwardAuthServer {
  readonly url: string;
  readonly server: Server;
  readonly keygate: Keygate;
  readonly opened: OpenedKeyStore;
  /** Stops accepting, lets in-flight checks finish, then closes the verifier and the store. */
  close(): Promise<void>;
}

/**
 * Starts the server and resolves once it listens.
 *
 * @example
 * ```ts
 * const serve = await startForwardAuthServer({ storeUrl: 'redis://127.0.0.1:6379', port: 0 });
 * console.log(serve.url);
 * await serve.close();
 * ```
 */
export async function startForwardAuthServer(
  options: ForwardAuthServerOptions,
): Promise<ForwardAuthServer> {
  const config = options.config ?? DEFAULT_SERVE_CONFIG;
  const opened = await openKeyStore(options.storeUrl, {
    subscribe: true,
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let keygate: Keygate | undefined;
  try {
    const subscribed = opened.store.subscribe !== undefined;
    keygate = createKeygate({
      store: opened.store,
      // As the reference server: with an invalidation channel a valid key is trusted for 30 s
      // (a revocation arrives at once); without one, 5 s bounds how late a revocation is seen.
      cache: {
        ttlMs: config.cache.ttlMs ?? (subscribed ? 30_000 : 5_000),
        negativeTtlMs: config.cache.negativeTtlMs ?? 1_000,
      },
      // A default limit per key, counted in the process or in the store's Redis.
      ...rateLimitOptions(config.rateLimit ?? DEFAULT_RATE_LIMIT_SETTINGS, opened, options.onError),
      ...(config.environments === undefined ? {} : { environments: config.environments }),
      ...(options.peppers === undefined ? {} : { peppers: options.peppers }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    const verifier = keygate.verifier;
    const handler = createForwardAuthHandler({
      verifier,
      config,
      health: storeHealth(opened.store, verifier.options.storeTimeoutMs),
    });
    const server = createServer(handler);
    // Proxies keep connections to their auth service open (nginx `keepalive`, Envoy, Traefik):
    // outlive their idle timeouts, so that they never send a check on a connection being closed.
    server.keepAliveTimeout = 75_000;
    server.headersTimeout = 76_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_SERVE_PORT, options.host ?? DEFAULT_SERVE_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const started = keygate;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${address.port}`,
      server,
      keygate: started,
      opened,
      close: () => {
        closing ??= shutDown(server, options.shutdownTimeoutMs ?? 10_000).then(async () => {
          await started.close().catch(() => {});
          await opened.close().catch(() => {});
        });
        return closing;
      },
    };
  } catch (error) {
    await keygate?.close().catch(() => {});
    await opened.close().catch(() => {});
    throw error;
  }
}

// Stop accepting, let checks in flight finish and close each keep-alive connection once it is
// idle (checked often: a proxy's connection goes idle between two checks); after the timeout, cut
// what is left.
function shutDown(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
