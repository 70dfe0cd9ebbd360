// Starts real nginx and Caddy for the forward-auth tests, each with the recipe from
// examples/forward-auth/ (its addresses replaced by this run's ports) in a temp dir of its own,
// started and stopped by pid. A missing binary fails on CI (CI=true) and skips locally.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acceptsConnections,
  fillRecipe,
  writeNginxConfig,
} from '../../../examples/src/forward-auth/recipes.js';
import { findFreePort, makeTempDir } from '../../redis/support/redis-server.js';

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
  return fillRecipe(name, { ...targets, proxy: proxyAddress });
}

export const NGINX: ProxyKind = {
  name: 'nginx',
  binary: 'nginx',
  async start(targets) {
    const dir = makeTempDir('nginx');
    const port = await findFreePort();
    const args = writeNginxConfig(dir, { ...targets, proxy: `127.0.0.1:${port}` });
    const child = spawn('nginx', args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(`${name} did not come up on port ${port}:\n${log()}`);
    }
    await sleep(50);
  }
  return server;
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
