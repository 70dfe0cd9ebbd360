// `keygate serve`: reads its options, starts the forward-auth server, prints where it listens,
// and on SIGTERM or SIGINT stops gracefully (in-flight checks finish) with exit code 0.
import type { Pepper } from '@keygate/core';
import { type CliIo, cleanMessage, type ParsedCommand } from '../cli.js';
import { CommandFailure, UsageError } from '../cli-errors.js';
import { parseStoreUrl } from '../open-key-store.js';
import {
  DEFAULT_SERVE_HOST,
  DEFAULT_SERVE_PORT,
  type ForwardAuthServer,
  startForwardAuthServer,
} from './forward-auth-server.js';
import { DEFAULT_SERVE_CONFIG, loadServeConfig } from './serve-config.js';

/** What `keygate serve` needs beyond the parsed command line. */
export interface ServeSettings {
  readonly storeUrl: string;
  readonly table: string | undefined;
  readonly namespace: string | undefined;
  readonly peppers: readonly Pepper[] | undefined;
  /** Resolves when the server should stop (default: the first SIGTERM or SIGINT). */
  readonly stopped?: Promise<unknown>;
  /** Called once the server listens (tests use it to find the port). */
  readonly onListening?: (server: ForwardAuthServer) => void;
}

/**
 * Runs `keygate serve` until stopped; returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runServe(parsed, io, { storeUrl, table, namespace, peppers });
 * ```
 */
export async function runServe(
  parsed: ParsedCommand,
  io: CliIo,
  settings: ServeSettings,
): Promise<number> {
  const port = portOption(parsed.values.port);
  const host = typeof parsed.values.host === 'string' ? parsed.values.host : DEFAULT_SERVE_HOST;
  const configPath = typeof parsed.values.config === 'string' ? parsed.values.config : undefined;
  const config =
    configPath === undefined ? DEFAULT_SERVE_CONFIG : await loadServeConfig(configPath);
  const displayUrl = parseStoreUrl(settings.storeUrl).displayUrl;
  const stopped = settings.stopped ?? firstSignal(['SIGTERM', 'SIGINT']);

  let server: ForwardAuthServer;
  try {
    server = await startForwardAuthServer({
      storeUrl: settings.storeUrl,
      port,
      host,
      config,
      ...(settings.peppers === undefined ? {} : { peppers: settings.peppers }),
      ...(settings.table === undefined ? {} : { table: settings.table }),
      ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }),
      onError: (error) => io.stderr(`keygate serve: ${cleanMessage(error)}\n`),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = cleanMessage(error);
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new CommandFailure(
        'address_in_use',
        `cannot listen on ${host}:${port}: the port is in use`,
      );
    }
    throw new CommandFailure(
      'store_unavailable',
      `cannot open the store ${displayUrl}: ${message}`,
    );
  }
  const routes = config.routes.length;
  io.stdout(
    `keygate serve: listening on ${server.url} (keys in ${displayUrl}; ${routes} scope rule${routes === 1 ? '' : 's'})\n`,
  );
  settings.onListening?.(server);
  const signal = await stopped;
  io.stderr(`keygate serve: ${typeof signal === 'string' ? `${signal}, ` : ''}shutting down\n`);
  await server.close();
  return 0;
}

function firstSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [index, other] of signals.entries()) process.off(other, handlers[index]!);
        resolve(signal);
      };
      process.on(signal, handler);
      return handler;
    });
  });
}

function portOption(value: unknown): number {
  if (value === undefined) return DEFAULT_SERVE_PORT;
  const port = Number(value);
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    !Number.isInteger(port) ||
    port < 0 ||
    port > 65_535
  ) {
    throw new UsageError(`--port must be a port number (0–65535), got ${JSON.stringify(value)}`);
  }
  return port;
}
