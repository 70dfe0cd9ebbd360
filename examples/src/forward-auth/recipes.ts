// The forward-auth recipes of examples/forward-auth/, filled in for a run on this machine: their
// fixed addresses replaced by the run's ports, and nginx's recipe wrapped in a configuration that
// runs one foreground process (so that its pid is the one to stop). Shared by the forward-auth
// tests (test/serve/) and the serve benchmark (bench/src/serve/), which start the real proxies.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a recipe sends checks and requests, and where the proxy listens (`host:port` each). */
export interface RecipeAddresses {
  /** `keygate serve`. */
  readonly keygate: string;
  /** The upstream API. */
  readonly upstream: string;
  /** The proxy itself. */
  readonly proxy: string;
}

/** The addresses written in the recipes, replaced by each run's. */
const WRITTEN: RecipeAddresses = {
  keygate: '127.0.0.1:8181',
  upstream: '127.0.0.1:3000',
  proxy: '127.0.0.1:8080',
};

/** The path of a recipe file of examples/forward-auth/. */
export function recipePath(name: string): string {
  return fileURLToPath(new URL(`../../forward-auth/${name}`, import.meta.url));
}

/** A recipe's text with its addresses replaced by `addresses`. */
export function fillRecipe(name: string, addresses: RecipeAddresses): string {
  return readFileSync(recipePath(name), 'utf8')
    .replaceAll(WRITTEN.keygate, addresses.keygate)
    .replaceAll(WRITTEN.upstream, addresses.upstream)
    .replaceAll(WRITTEN.proxy, addresses.proxy);
}

/** Options of {@link writeNginxConfig}. */
export interface NginxConfigOptions {
  /** More `server { … }` blocks for the `http` context (the benchmark adds a bare proxy). */
  readonly servers?: readonly string[];
  /** Default 512. */
  readonly workerConnections?: number;
}

/**
 * Writes into `dir` the nginx recipe, filled in, and an nginx.conf that includes it: one process
 * in the foreground, every file nginx writes inside `dir`. Answers nginx's arguments.
 */
export function writeNginxConfig(
  dir: string,
  addresses: RecipeAddresses,
  options: NginxConfigOptions = {},
): string[] {
  writeFileSync(join(dir, 'keygate.conf'), fillRecipe('nginx.conf', addresses));
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      `events { worker_connections ${options.workerConnections ?? 512}; }`,
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (name) => `  ${name}_temp_path ${join(dir, name)};`,
      ),
      `  include ${join(dir, 'keygate.conf')};`,
      ...(options.servers ?? []).map((server) => `  ${server}`),
      '}',
      '',
    ].join('\n'),
  );
  return ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
}

/** True once something accepts TCP connections on 127.0.0.1:`port`. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
