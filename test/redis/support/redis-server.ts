// Starts and stops throwaway redis-server processes (single nodes and a 3-master Cluster) for the
// tests that must stop Redis or need a Cluster. Every wait is bounded; only these pids are killed.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server child process that the tests own. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  readonly process: ChildProcess;
}

/** A Cluster of redis-server child processes, one master per node, no replicas. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  readonly dir: string;
}

// Children still running when the worker exits (a crashed test) are stopped too: ours only.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) tryKill(child.pid);
});

/** A directory of its own under the system temp dir. */
export function makeTempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `keygate-${label}-`));
}

/**
 * A port that nothing listens on, and (for Cluster nodes) whose bus port, port + 10000, is free
 * too. Probed by binding it; the range keeps port + 10000 valid.
 */
export async function findFreePort(withBusPort = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (!(await portIsFree(port))) continue;
    if (withBusPort && !(await portIsFree(port + 10_000))) continue;
    return port;
  }
  throw new Error('no free port found after 50 attempts');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Starts redis-server on `port` (no persistence) and waits until it answers PING. */
export async function startRedisServer(
  port: number,
  dir: string,
  extraArguments: readonly string[] = [],
): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir,
      '--logfile',
      join(dir, `redis-${port}.log`),
      ...extraArguments,
    ],
    { stdio: 'ignore' },
  );
  if (child.pid === undefined) throw new Error('redis-server did not start');
  running.add(child);
  child.once('exit', () => running.delete(child));
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    dir,
    process: child,
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopRedisServer(server);
      throw new Error(`redis-server on port ${port} did not come up (see ${dir})`);
    }
    await sleep(50);
  }
  return server;
}

/** Kills the server by its pid and waits (bounded) for the process to end. */
export async function stopRedisServer(server: RedisServer): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  tryKill(server.pid);
  await Promise.race([exited, sleep(5000)]);
}

/**
 * Starts `size` cluster-enabled nodes, joins them with `redis-cli --cluster create` (masters
 * only) and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const dir = makeTempDir('cluster');
  const nodes: RedisServer[] = [];
  try {
    for (let index = 0; index < size; index++) {
      const port = await findFreePort(true);
      nodes.push(
        await startRedisServer(port, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
        ]),
      );
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 30_000, encoding: 'utf8' },
    );
    if (create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    }
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      while (!clusterStateOk(node.port)) {
        if (Date.now() > deadline) throw new Error(`cluster on port ${node.port} never became ok`);
        await sleep(100);
      }
    }
    return { nodes, dir };
  } catch (error) {
    await stopRedisCluster({ nodes, dir });
    throw error;
  }
}

/** Stops every node by pid and removes the cluster's temp dir. */
export async function stopRedisCluster(cluster: RedisCluster): Promise<void> {
  await Promise.all(cluster.nodes.map((node) => stopRedisServer(node)));
  rmSync(cluster.dir, { recursive: true, force: true });
}

function clusterStateOk(port: number): boolean {
  const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], {
    timeout: 5000,
    encoding: 'utf8',
  });
  return info.status === 0 && info.stdout.includes('cluster_state:ok');
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
