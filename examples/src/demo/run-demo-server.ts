// Starts one framework's sites server with a demo organisation and key, and prints the key once
// with the curl commands filled in. Every `server.ts` is this plus its framework's `listen`.
import { createKeygate, type Keygate, type KeyStore, MemoryKeyStore } from '@keygate/core';
import { MemorySitesRepository, type SitesRepository } from '../sites/index.js';
import { demoCurlCommands } from './curl-commands.js';
import { MemoryOrganisations } from './organisations.js';
import { type DemoSeed, seedDemo } from './seed-demo.js';

/** A listening server, as a framework starts it. */
export interface StartedServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a framework's app for {@link runDemoServer}. */
export type StartFramework = (options: {
  readonly keygate: Keygate;
  readonly sites: SitesRepository;
  readonly host: string;
  readonly port: number;
}) => Promise<StartedServer>;

/** Options of {@link runDemoServer}. */
export interface DemoServerOptions {
  /** Shown in the banner: `Express`, `Koa`, `Fastify`. */
  readonly framework: string;
  readonly start: StartFramework;
  /** Default: `PORT` from the environment, else 3000. 0 picks a free port. */
  readonly port?: number;
  /** Default: `HOST` from the environment, else 127.0.0.1. */
  readonly host?: string;
  /** Default: a new `MemoryKeyStore`. */
  readonly store?: KeyStore;
  /** Where the banner goes (default `console.log`). */
  readonly print?: (text: string) => void;
}

/** A running demo server. */
export interface DemoServer extends StartedServer {
  readonly seed: DemoSeed;
  readonly keygate: Keygate;
}

/**
 * Runs a demo server until `close()` is called.
 *
 * @example
 * ```ts
 * await runDemoServer({ framework: 'Koa', start: startKoa });
 * ```
 */
export async function runDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const port = options.port ?? portFromEnvironment();
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  const print = options.print ?? ((text: string) => console.log(text));
  const organisations = new MemoryOrganisations();
  const keygate = createKeygate({
    store: options.store ?? new MemoryKeyStore(),
    resolveOrganisation: organisations.resolve,
  });
  const sites = new MemorySitesRepository();
  const server = await options.start({ keygate, sites, host, port });
  const seed = await seedDemo({ keygate, sites, organisations });
  print(banner(options.framework, server.url, seed, keygate.verifier.headerName));
  return {
    url: server.url,
    seed,
    keygate,
    close: async () => {
      await server.close();
      await keygate.close();
    },
  };
}

/** `PORT` as a port number; throws on a value that is not one. */
export function portFromEnvironment(value = process.env.PORT): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`PORT must be a port number (0–65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

/** `http://host:port` for a bound address; wildcard hosts print as localhost. */
export function serverUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

function banner(framework: string, url: string, seed: DemoSeed, headerName: string): string {
  const commands = demoCurlCommands(url, seed.key, seed.siteId, headerName)
    .map(({ title, command }) => `# ${title}\n${command}`)
    .join('\n\n');
  return [
    `keygate sites API on ${framework}, listening on ${url}`,
    '',
    `Demo organisation: ${seed.organisationName} (${seed.organisationId})`,
    'Demo API key. It is shown only this once: copy it now.',
    '',
    `  ${seed.key}`,
    '',
    'Try it:',
    '',
    commands,
    '',
    'Press Ctrl+C to stop.',
  ].join('\n');
}

/** Closes `server` on SIGINT or SIGTERM. */
export function closeOnSignal(server: StartedServer): void {
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
