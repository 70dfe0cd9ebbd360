// Starts real nginx and Caddy for the forward-auth tests, each with the recipe from
// examples/forward-auth/ (its addresses replaced by this run's ports) in a temp dir of its own,
// started and stopped by pid. A missing binary fails on CI (CI=true) and skips locally.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, makeTempDir } from '../../redis/support/redis-server.js';

/** The addresses written in the recipes, replaced by each run's. */
const RECIPE_KEYGATE = '127.0.0.1:8181';
const RECIPE_UPSTREAM = '127.0.0.1:3000';
const RECIPE_PROXY = '127.0.0.1:8080';

/** A recipe file of examples/forward-auth/. */
export function recipePath(name: string): string {
  return fileURLToPath(new URL(`../../../examples/forward-auth/${name}`, import.meta.url));
}

/** A running proxy. */
export interface ProxyServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Its error log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Where the proxy sends checks and requests. */
export interface ProxyTargets {
  /** `host:port` of `keygate serve`. */
  readonly keygate: string;
  /** `host:port` of the upstream. */
  readonly upstream: string;
}

/** A proxy the tests can start. */
export interface ProxyKind {
  readonly name: 'nginx' | 'caddy';
  readonly binary: string;
  start(targets: ProxyTargets): Promise<ProxyServer>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) tryKill(child.pid);
});

/** True when `binary` runs; otherwise throws on CI, or warns and returns false locally. */
export function proxyAvailable(kind: ProxyKind, suite: string): boolean {
  const probe = spawnSync(kind.binary, [kind.name === 'nginx' ? '-v' : 'version'], {
    timeout: 10_000,
  });
  if (probe.status === 0) return true;
  const reason = `${kind.binary} is not installed (apt-get install ${kind.name === 'nginx' ? 'nginx-light' : 'caddy'})`;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${reason}; CI=true, so this fails`);
  console.warn(`\n[skip] ${suite}: ${reason}.\n`);
  return false;
}

function recipe(name: string, targets: ProxyTargets, proxyAddress: string): string {
  return readFileSync(recipePath(name), 'utf8')
    .replaceAll(RECIPE_KEYGATE, targets.keygate)
    .replaceAll(RECIPE_UPSTREAM, targets.upstream)
    .replaceAll(RECIPE_PROXY, proxyAddress);
}

export const NGINX: ProxyKind = {
  name: 'nginx',
  binary: 'nginx',
  async start(targets) {
    const dir = makeTempDir('nginx');
    const port = await findFreePort();
    writeFileSync(join(dir, 'keygate.conf'), recipe('nginx.conf', targets, `127.0.0.1:${port}`));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
      .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
      .join('\n');
    // One process in the foreground, so that its pid is the one to stop.
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'daemon off;',
        'master_process off;',
        'worker_processes 1;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} warn;`,
        'events { worker_connections 512; }',
        'http {',
        '  access_log off;',
        temp,
        `  include ${join(dir, 'keygate.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    const child = spawn(
      'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return started('nginx', child, port, () => readLog(join(dir, 'error.log')));
  },
};

export const CADDY: ProxyKind = {
  name: 'caddy',
  binary: 'caddy',
  async start(targets) {
    const dir = makeTempDir('caddy');
    const port = await findFreePort();
    const config = join(dir, 'Caddyfile');
    writeFileSync(config, recipe('Caddyfile', targets, `127.0.0.1:${port}`));
    let stderr = '';
    const child = spawn('caddy', ['run', '--config', config, '--adapter', 'caddyfile'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Caddy keeps its state under HOME/XDG dirs: a temp dir of its own.
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, 'config'),
        XDG_DATA_HOME: join(dir, 'data'),
      },
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return started('caddy', child, port, () => stderr);
  },
};

async function started(
  name: string,
  child: ChildProcess,
  port: number,
  log: () => string,
): Promise<ProxyServer> {
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const pid = child.pid;
  const server: ProxyServer = {
    name,
    url: `http://127.0.0.1:${port}`,
    pid,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      tryKill(pid, 'SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) tryKill(pid, 'SIGKILL');
    },
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not come up on port ${port}:\n${log()}`);
    }
    await sleep(50);
  }
  return server;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tryKill(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
